package dev.semfs.versioning;

/** Cheap counters for `semfs status`. */
public record StoreStats(long files, long directories, long symlinks, long versions, long chunks,
                         long chunkBytes, long snapshots, long lastChangeSeq, long diskBytes) {}
