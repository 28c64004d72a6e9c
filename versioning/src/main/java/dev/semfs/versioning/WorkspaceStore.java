package dev.semfs.versioning;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The source of truth of a workspace: nodes addressed by inode number, directory entries,
 * content as content-defined, content-addressed chunks, per-node version history, snapshots,
 * and an ordered change log. Every metadata mutation is one atomic batch that also appends to
 * the change log.
 *
 * <p>Thread-safe: any number of threads may call any method. Writes to one node are serialised
 * per node; namespace changes are serialised store-wide.
 *
 * <p>Errors: {@link java.nio.file.NoSuchFileException} for a missing node, name or version,
 * {@link java.nio.file.FileAlreadyExistsException}, {@link java.nio.file.DirectoryNotEmptyException},
 * {@link java.nio.file.NotDirectoryException}, and {@link dev.semfs.errors.SemfsException} for
 * the rest (is a directory, invalid argument, no space).
 */
public interface WorkspaceStore extends Closeable {
    long ROOT = 1;

    /** Opens (creating if needed) the store in {@code dir}; one process at a time may hold it. */
    static WorkspaceStore open(Path dir, StoreOptions options) throws IOException {
        return dev.semfs.versioning.internal.RocksWorkspaceStore.open(dir, options);
    }

    // --- namespace -------------------------------------------------------------------------

    Inode stat(long ino) throws IOException;

    Optional<Inode> lookup(long parent, String name) throws IOException;

    List<DirEntry> list(long dir) throws IOException;

    /** Creates a file, directory or symlink ({@code symlinkTarget} non-null) named {@code name}. */
    Inode create(long parent, String name, FileType type, int mode, int uid, int gid,
                 String symlinkTarget, Change change) throws IOException;

    /** Adds a hard link to a file. */
    Inode link(long ino, long parent, String name, Change change) throws IOException;

    /** Removes a file or symlink name; the node's history stays, ending in a DELETE version. */
    void unlink(long parent, String name, Change change) throws IOException;

    /** Removes an empty directory. */
    void rmdir(long parent, String name, Change change) throws IOException;

    /**
     * Moves a name, replacing an existing target of a compatible type (a file over a file, a
     * directory over an empty directory), atomically.
     */
    Inode rename(long fromParent, String fromName, long toParent, String toName, Change change) throws IOException;

    /** Changes any of mode, uid, gid, atime, mtime (null leaves a field as it is). */
    Inode setAttributes(long ino, Integer mode, Integer uid, Integer gid, Long atime, Long mtime,
                        Change change) throws IOException;

    // --- content ---------------------------------------------------------------------------

    /** Reads up to {@code len} bytes at {@code offset}; returns the count, 0 at or past the end. */
    int read(long ino, long offset, byte[] buf, int off, int len) throws IOException;

    /** Writes at any offset; a gap past the end becomes a sparse hole that reads as zeros. */
    void write(long ino, long offset, byte[] buf, int off, int len, Change change) throws IOException;

    /**
     * Writes at the end of the file, the size taken under the lock the write holds, so that
     * concurrent appends never overlap; returns the offset written at.
     */
    long append(long ino, byte[] buf, int off, int len, Change change) throws IOException;

    void truncate(long ino, long size, Change change) throws IOException;

    /** Makes every write to the node so far durable (stored and in the synced write-ahead log). */
    void sync(long ino) throws IOException;

    /** Registers an open handle: an unlinked node stays readable until its last release. */
    void retain(long ino) throws IOException;

    /** Drops an open handle registered by {@link #retain}. */
    void release(long ino) throws IOException;

    /**
     * Replaces (or, with {@code append}, extends) a file's whole content and cuts a version, as
     * one step under the node's lock: a concurrent unlink or rename-over either happens before
     * (then this fails with {@link java.nio.file.NoSuchFileException} and nothing is written) or
     * after (then the new content is a version the unlink keeps).
     *
     * @return the node after the write, and the version cut
     */
    WriteResult replace(long ino, byte[] data, boolean append, Change change) throws IOException;

    /** What {@link #replace} did. */
    record WriteResult(Inode inode, VersionRecord version) {}

    /** Cuts a version if the node changed since its newest version; returns it. */
    Optional<VersionRecord> commit(long ino, VersionKind kind, Change change) throws IOException;

    // --- extended attributes ---------------------------------------------------------------

    Map<String, byte[]> xattrs(long ino) throws IOException;

    void setXattr(long ino, String name, byte[] value, Change change) throws IOException;

    void removeXattr(long ino, String name, Change change) throws IOException;

    // --- history ---------------------------------------------------------------------------

    /** Every retained version of a node, oldest first. */
    List<VersionRecord> versions(long ino) throws IOException;

    VersionRecord version(long ino, long number) throws IOException;

    int readVersion(long ino, long number, long offset, byte[] buf, int off, int len) throws IOException;

    /** The history of a path across every node that ever had it, oldest first. */
    List<PathVersion> pathHistory(String path) throws IOException;

    /** The newest entry of a path's history, if it has any. */
    Optional<PathVersion> latestPathVersion(String path) throws IOException;

    /** Histories of every path at or below {@code prefix} ("/" for all), by path. */
    Map<String, List<PathVersion>> pathHistoriesUnder(String prefix) throws IOException;

    /**
     * Makes version {@code srcVersion} of node {@code srcIno} (content, mode, symlink target) the
     * live state of the live node {@code targetIno}, as a new version of kind {@code kind}. If the
     * target changed since its newest version, that state is versioned first: nothing is lost.
     */
    VersionRecord restoreVersion(long targetIno, long srcIno, long srcVersion, VersionKind kind, Change change)
            throws IOException;

    /**
     * Brings version {@code srcVersion} of {@code srcIno} back at {@code parent/name}: the node
     * itself if it is deleted (its history continues), else a new node with that content.
     */
    Inode revive(long srcIno, long srcVersion, long parent, String name, VersionKind kind, Change change)
            throws IOException;

    // --- snapshots -------------------------------------------------------------------------

    /** Cuts versions of changed nodes, then records every live node's current version. */
    SnapshotRecord snapshot(String name, Change change) throws IOException;

    List<SnapshotRecord> snapshots() throws IOException;

    SnapshotRecord snapshot(String idOrName) throws IOException;

    /** Entries of a snapshot, sorted by path, restricted to {@code prefix} ("/" for all). */
    List<SnapshotEntry> snapshotEntries(long snapshotId, String prefix) throws IOException;

    // --- change log ------------------------------------------------------------------------

    /** Up to {@code max} change records with {@code seq > afterSeq}, in order. */
    List<ChangeRecord> changes(long afterSeq, int max) throws IOException;

    long lastChangeSeq();

    /**
     * Appends an entry that records an event rather than a mutation of the tree (the agent layer
     * logs "conflict" when an agent writes over another agent's fresh or leased work), in order
     * with every other entry. The names of the store's own operations (see {@link ChangeRecord#op})
     * are refused with {@link dev.semfs.errors.ErrorCode#INVALID_ARGUMENT}, so the log never
     * claims a mutation that did not happen. Returns the entry with its sequence number.
     */
    ChangeRecord appendChange(String op, String path, String toPath, long version, Change change) throws IOException;

    // --- small durable settings for other modules (agents, permissions, index state) ----------

    Optional<byte[]> getSetting(String key) throws IOException;

    void putSetting(String key, byte[] value) throws IOException;

    void deleteSetting(String key) throws IOException;

    /** Settings whose key starts with {@code prefix}, sorted by key. */
    Map<String, byte[]> settings(String prefix) throws IOException;

    // --- maintenance -----------------------------------------------------------------------

    /** Drops versions outside the policy, deletes unreferenced chunks, compacts. Safe while in use. */
    GcReport gc(RetentionPolicy policy) throws IOException;

    /** Recomputes every reference count and checks every reference; slow, read-only. */
    CheckReport check() throws IOException;

    StoreStats stats() throws IOException;

    /** Flushes every node's buffered writes and syncs the write-ahead log. */
    void syncAll() throws IOException;

    /**
     * Cuts into chunks, now and on this thread, the staged writes of every closed file that the
     * background has not chunked yet (see docs/storage.md), without forcing anything to disk.
     * Benchmarks and tests use it to wait for the background work.
     */
    void settle() throws IOException;
}
