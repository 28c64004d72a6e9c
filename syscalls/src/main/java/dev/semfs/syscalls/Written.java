package dev.semfs.syscalls;

public record Written(int bytes) {}
