package dev.semfs.syscalls;

public record GcInfo(String retention, long versionsDropped, long chunksDeleted, long bytesReclaimed, long millis) {}
