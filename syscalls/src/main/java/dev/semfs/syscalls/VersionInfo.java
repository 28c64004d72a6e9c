package dev.semfs.syscalls;

/**
 * One version of a file.
 *
 * @param time nanoseconds since the epoch
 * @param kind write, create, rename, rollback, restore, snapshot or delete
 */
public record VersionInfo(long number, long time, long size, String kind, String agent, String reason, String path) {}
