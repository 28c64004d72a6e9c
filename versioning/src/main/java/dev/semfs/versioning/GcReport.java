package dev.semfs.versioning;

/** What one garbage collection did. */
public record GcReport(long versionsDropped, long chunksDeleted, long bytesReclaimed, long durationNanos) {}
