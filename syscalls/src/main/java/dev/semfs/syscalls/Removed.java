package dev.semfs.syscalls;

/** How many nodes a remove took away. */
public record Removed(String path, int count) {}
