package dev.semfs.syscalls;

/** A workspace snapshot; {@code time} in nanoseconds since the epoch. */
public record SnapshotInfo(long id, String name, long time, long entries, String agent) {}
