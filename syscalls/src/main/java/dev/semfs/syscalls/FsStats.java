package dev.semfs.syscalls;

/** File system totals for statfs, in bytes and node counts. */
public record FsStats(long totalBytes, long freeBytes, long availableBytes, long files, long freeFiles, int maxNameLength) {}
