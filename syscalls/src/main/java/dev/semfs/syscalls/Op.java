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

    /**
     * Changes the fields that are non-null; times are nanoseconds since the epoch. With
     * {@code follow} a final symlink is followed (chmod, chown, utimes); without, the symlink
     * itself changes (lchown, lutimes; a symlink has no mode of its own).
     */
    record SetAttr(String path, Integer mode, Integer uid, Integer gid, Long atime, Long mtime, boolean follow) implements Op<FileInfo> {}

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

    /**
     * Writes at the end of file (O_APPEND): the end is read under the same lock as the write
     * takes, so appends through other handles, links or front ends never land on one offset.
     */
    record HandleAppend(long handle, byte[] data) implements Op<Written> {}

    record HandleTruncate(long handle, long size) implements Op<FileInfo> {}

    record HandleStat(long handle) implements Op<FileInfo> {}

    /** Makes the handle's writes durable (fsync). */
    record HandleSync(long handle) implements Op<Done> {}

    /**
     * close(2) of one descriptor of the handle: cuts a version of what was written through the
     * handle since its last version, and leaves the handle open (dup'ed descriptors share it).
     */
    record HandleClose(long handle) implements Op<Done> {}

    /** Closes the handle; writes not yet in a version become one. */
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

    // --- finding files by meaning ------------------------------------------------------------

    /**
     * Searches the semantic index. {@code mode}: "hybrid" (default), "semantic" or "keyword"
     * (exact terms and "phrases" with AND/OR/NOT). Filters may be null: a path prefix, file
     * extensions, modification time range, size range, authoring agent.
     */
    record Search(String query, int k, String mode, String pathPrefix, java.util.List<String> types,
                  Instant since, Instant until, Long minSize, Long maxSize, String author) implements Op<SearchResult> {
        public static Search of(String query, int k) {
            return new Search(query, k, null, null, null, null, null, null, null, null);
        }
    }

    /** Rebuilds the semantic index from the store: every live file at its newest version. */
    record Reindex() implements Op<ReindexResult> {}

    // --- the daemon ------------------------------------------------------------------------

    /**
     * Asks the daemon that serves the workspace to mount it again on {@code mountPoint}, acting as
     * the calling agent (one mount per agent). Only a daemon can do this; a workspace opened in a
     * process without one refuses it.
     */
    record Mount(String mountPoint, boolean allowOther) implements Op<Done> {}

    // --- workspace -------------------------------------------------------------------------

    record Status(boolean check) implements Op<StatusInfo> {}

    /** Applies a retention policy ("all", "last:N", "days:D", "thinned") and deletes unreferenced chunks. */
    record Gc(String retention) implements Op<GcInfo> {}

    /**
     * A summary of {@code paths} (files, or folders taken whole), of the best {@code query} hits
     * (when a query is given), or of what changed below {@code paths} since {@code since} (when
     * given). Covers only what the caller may read. {@code sentences} per summary, 0 for the
     * default.
     */
    record Summarize(java.util.List<String> paths, String query, Instant since, int sentences) implements Op<Summary> {}

    /** Change log entries after {@code afterSeq}, optionally below a path prefix. */
    record Changes(long afterSeq, int max, String pathPrefix) implements Op<ChangeList> {}

    // --- agents, permissions, audit, leases (the agent layer) ------------------------------

    /**
     * Operations of the agent layer. Who may call each is stated on it; "owner only" means the
     * built-in owner agent ({@link Caller#OWNER}).
     */
    sealed interface AgentOp<R> extends Op<R> {}

    /** Creates an agent with no rights (owner only); the answer holds its token, shown this once. */
    record AgentCreate(String name) implements AgentOp<AgentToken> {}

    /** Issues a new token for an agent, the owner included (owner only); the old token stops working. */
    record AgentNewToken(String name) implements AgentOp<AgentToken> {}

    /** Removes an agent and its rules (owner only); its history stays in the audit trail. */
    record AgentRemove(String name) implements AgentOp<Done> {}

    /** Every agent with its rules (owner and admins); any other agent gets only itself. */
    record AgentList() implements AgentOp<Agents> {}

    /** Sets an agent's right below a path prefix: "read", "write" or "none" (owner only). */
    record Grant(String agent, String pathPrefix, String right) implements AgentOp<Done> {}

    /** Removes an agent's rule on exactly {@code pathPrefix} (owner only); NOT_FOUND when there is none. */
    record Revoke(String agent, String pathPrefix) implements AgentOp<Done> {}

    /** Gives or takes the admin right: snapshot, status, gc, the whole audit trail, undo (owner only). */
    record SetAdmin(String agent, boolean admin) implements AgentOp<Done> {}

    /** The agent a token belongs to (any caller, for network front ends); ACCESS_DENIED for an unknown token. */
    record Authenticate(String token) implements AgentOp<AgentInfo> {}

    /**
     * Audit trail entries, in order: every mutation with agent, front end, time, path and version,
     * plus "conflict" events. Null filters do not filter; times are nanoseconds since the epoch,
     * {@code since} inclusive, {@code until} exclusive; {@code afterSeq} pages (0 from the start,
     * then the answer's {@code next}). Any agent; agents other than the owner and admins see only
     * entries on paths they may read.
     */
    record Audit(String pathPrefix, String agent, Long sinceNanos, Long untilNanos, long afterSeq, int max)
            implements AgentOp<ChangeList> {}

    /**
     * Takes an advisory lease on a path and everything below it for {@code ttlMillis} (needs
     * write); CONFLICT while another agent holds a lease at, above or below it. Taking a lease
     * the caller holds extends it.
     */
    record LeaseAcquire(String path, long ttlMillis) implements AgentOp<LeaseInfo> {}

    /** Extends the caller's lease; NOT_FOUND when it holds none there (expired or released). */
    record LeaseRenew(String path, long ttlMillis) implements AgentOp<LeaseInfo> {}

    /** Gives the caller's lease up; NOT_FOUND when it holds none there. */
    record LeaseRelease(String path) implements AgentOp<Done> {}

    /** Live leases at or below a prefix (null for all) on paths the caller may read. */
    record Leases(String pathPrefix) implements AgentOp<LeaseList> {}

    /**
     * Undoes what {@code agent} changed since {@code sinceNanos}: every such path goes back, as new
     * versions, to its state just before that agent's first change to it since then. A path that
     * another agent changed afterwards (or below it) is left as it is and reported with action
     * "conflict"; one the caller may not write is reported "denied". Owner, admins, or the agent
     * itself.
     */
    record Undo(String agent, long sinceNanos) implements AgentOp<RollbackResult> {}

    /** Rollback target: exactly one of version, back, at. */
    record RollbackTarget(Long version, Integer back, Instant at) {
        public static RollbackTarget toVersion(long n) { return new RollbackTarget(n, null, null); }
        public static RollbackTarget back(int n) { return new RollbackTarget(null, n, null); }
        public static RollbackTarget at(Instant t) { return new RollbackTarget(null, null, t); }
    }
}
