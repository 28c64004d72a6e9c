package dev.semfs.versioning;

/** One node of a snapshot: the path it had and the version its content is. */
public record SnapshotEntry(String path, long ino, long version, FileType type, long size, int mode,
                            int uid, int gid, long mtime, String symlinkTarget) {}
