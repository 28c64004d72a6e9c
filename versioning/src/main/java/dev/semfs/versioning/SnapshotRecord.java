package dev.semfs.versioning;

/** A named, immutable picture of the whole workspace; costs metadata only, never content. */
public record SnapshotRecord(long id, String name, long time, long entries, String agent) {}
