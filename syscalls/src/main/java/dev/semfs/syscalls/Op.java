package dev.semfs.syscalls;

import java.time.Instant;

/**
 * Every operation of the core API, as one request record each. A front end builds a record and
 * passes it to {@link Workspace#call}; the record's type parameter is its response. Records are
 * plain data, so the loopback transport sends them as JSON unchanged.
 *
 * <p>Paths are workspace paths: absolute, '/'-separated, normalised by the core ("a/b" and
 * "/a//b/" both mean "/a/b"); ".." that would leave the root, NUL bytes and over-long names are
 * refused with {@link dev.semfs.errors.ErrorCode#INVALID_ARGUMENT}.
 */
public sealed interface Op<R> {

    // --- files and directories ---------------------------------------------------------------

    /** Metadata of a path; a symlink itself unless {@code follow}. */
    record Stat(String path, boolean follow) implements Op<FileInfo> {}

    /** Entries of a directory, sorted by name. */
    record ListDir(String path) implements Op<Listing> {}

    /** Bytes of a file from {@code offset}; {@code length} -1 reads to the end (up to the read limit). */
    record ReadFile(String path, long offset, int length) implements Op<Content> {}

    /** Replaces (or appends to) a whole file and cuts a version, as an open-write-close would. */
    record WriteFile(String path, byte[] data, boolean append, boolean createParents) implements Op<FileInfo> {}

    record Mkdir(String path, boolean parents, int mode) implements Op<FileInfo> {}

    /** Removes a file, symlink or (with {@code recursive}, non-empty) directory. */
    record Remove(String path, boolean recursive) implements Op<Removed> {}

    /** Renames, replacing an existing file target (POSIX rename semantics). */
    record Move(String from, String to) implements Op<FileInfo> {}

    record Symlink(String path, String target) implements Op<FileInfo> {}

    record Link(String existing, String path) implements Op<FileInfo> {}

    record ReadLink(String path) implements Op<LinkTarget> {}

    /** Changes the fields that are non-null; times are nanoseconds since the epoch. */
    record SetAttr(String path, Integer mode, Integer uid, Integer gid, Long atime, Long mtime) implements Op<FileInfo> {}

    record Truncate(String path, long size) implements Op<FileInfo> {}

    record GetXattr(String path, String name) implements Op<XattrValue> {}

    record ListXattrs(String path) implements Op<XattrNames> {}

    /** {@code mode}: 0 create or replace, 1 create only, 2 replace only. */
    record SetXattr(String path, String name, byte[] value, int mode) implements Op<Done> {}

    record RemoveXattr(String path, String name) implements Op<Done> {}

    record StatFs() implements Op<FsStats> {}

    // --- open handles (the mount's read/write path) ----------------------------------------

    /** Opens (optionally creating) a file; the handle keeps working after unlink or rename. */
    record Open(String path, boolean write, boolean create, boolean exclusive, boolean truncate, int mode) implements Op<Handle> {}

    record HandleRead(long handle, long offset, int length) implements Op<Content> {}

    record HandleWrite(long handle, long offset, byte[] data) implements Op<Written> {}

    record HandleTruncate(long handle, long size) implements Op<FileInfo> {}

    record HandleStat(long handle) implements Op<FileInfo> {}

    /** Makes the handle's writes durable (fsync). */
    record HandleSync(long handle) implements Op<Done> {}

    /** Closes the handle; the last close of a written file cuts a version. */
    record Release(long handle) implements Op<Done> {}

    // --- history ---------------------------------------------------------------------------

    /** Versions of a path (live or deleted), oldest first. */
    record Log(String path) implements Op<History> {}

    /** Bytes of version {@code version} (a number from {@link Log}) from {@code offset}; {@code length} -1 reads to the end. */
    record ReadVersion(String path, long version, long offset, int length) implements Op<Content> {}

    /** Line diff between two versions; null {@code from} means the one before {@code to}, null {@code to} the live file. */
    record Diff(String path, Long from, Long to) implements Op<DiffResult> {}

    /** Rolls a file, or a directory tree (by time only), back; the rollback is a new version. */
    record Rollback(String path, RollbackTarget target) implements Op<RollbackResult> {}

    record Snapshot(String name) implements Op<SnapshotInfo> {}

    record ListSnapshots() implements Op<Snapshots> {}

    /** Restores the whole workspace, or only {@code path} (may be null), to a snapshot. */
    record Restore(String snapshot, String path) implements Op<RollbackResult> {}

    /** Lists a directory of a snapshot. */
    record SnapshotDir(String snapshot, String path) implements Op<Listing> {}

    /** Reads a file as of a snapshot. */
    record SnapshotRead(String snapshot, String path, long offset, int length) implements Op<Content> {}

    // --- workspace -------------------------------------------------------------------------

    record Status(boolean check) implements Op<StatusInfo> {}

    /** Applies a retention policy ("all", "last:N", "days:D", "thinned") and deletes unreferenced chunks. */
    record Gc(String retention) implements Op<GcInfo> {}

    /** Change log entries after {@code afterSeq}, optionally below a path prefix. */
    record Changes(long afterSeq, int max, String pathPrefix) implements Op<ChangeList> {}

    /** Rollback target: exactly one of version, back, at. */
    record RollbackTarget(Long version, Integer back, Instant at) {
        public static RollbackTarget toVersion(long n) { return new RollbackTarget(n, null, null); }
        public static RollbackTarget back(int n) { return new RollbackTarget(null, n, null); }
        public static RollbackTarget at(Instant t) { return new RollbackTarget(null, null, t); }
    }
}
