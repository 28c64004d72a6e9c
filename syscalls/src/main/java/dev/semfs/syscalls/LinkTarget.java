package dev.semfs.syscalls;

public record LinkTarget(String path, String target) {}
