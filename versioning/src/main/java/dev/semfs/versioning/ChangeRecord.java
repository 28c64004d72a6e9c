package dev.semfs.versioning;

/**
 * One entry of the store's change log: ordered by {@code seq}, written atomically with the
 * mutation it describes. It is the audit trail, the change feed and the semantic index's queue.
 *
 * @param op      operation name: create, mkdir, symlink, link, write, truncate, setattr, version,
 *                delete, rmdir, rename, rollback, restore, snapshot, xattr
 * @param version version number the mutation produced, 0 if none
 */
public record ChangeRecord(long seq, long time, String op, long ino, FileType type, String path,
                           String toPath, long version, String agent, String via, String reason) {}
