package dev.semfs.syscalls;

public record XattrValue(String name, byte[] value) {}
