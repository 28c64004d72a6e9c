package dev.semfs.syscalls;

/** What a rebuild of the semantic index did. */
public record ReindexResult(long files, long millis, String model) {}
