package dev.semfs.syscalls.internal;

import dev.semfs.agents.Right;
import dev.semfs.errors.SemfsException;
import dev.semfs.syscalls.Op;
import java.util.List;

/**
 * What each operation of the core API needs, in one table: the single place that says which
 * paths an operation reads or writes. {@link AgentGuard} enforces it before the operation runs
 * and filters what it returns.
 *
 * <p>Rules of the table:
 * <ul>
 *   <li>Reading content, metadata of a non-directory, versions, diffs, snapshot files, xattrs and
 *       link targets needs READ on the path.</li>
 *   <li>Stat and listing of a directory need READ, or only that something readable lies below it
 *       (like a directory's execute bit): listings then leave out entries the agent cannot see.</li>
 *   <li>Creating, changing and removing need WRITE on the path; operations that act on a whole
 *       tree (recursive remove, rename, rollback, restore) need WRITE on every path below it.</li>
 *   <li>Rename needs that on both sides. A hard link needs WRITE on both names: the two names
 *       share one content, so READ on the source would let the new name write into it.</li>
 *   <li>Workspace-wide operations (snapshot, status, gc) need the admin right.</li>
 *   <li>Open handles belong to the agent that opened them; the check is at open.</li>
 * </ul>
 * Paths that traverse a symlink are checked both as named and as resolved ({@code follow}:
 * whether the last component is followed too, as the operation itself does).
 */
final class Access {
    private Access() {}

    /** One path an operation touches. */
    record Need(String path, Right right, boolean follow, boolean tree) {}

    sealed interface Requirement {}

    /** Every need must be met. */
    record Paths(List<Need> needs) implements Requirement {}

    /** Directory metadata or listing: READ, or something readable below it; listings are filtered. */
    record Traverse(String path, boolean follow) implements Requirement {}

    /** An open handle: only the agent that opened it may use it. */
    record OwnHandle(long handle) implements Requirement {}

    /** The owner or an admin. */
    record Admin() implements Requirement {}

    /** Any known agent; the answer is filtered to what it may read where that applies. */
    record Known() implements Requirement {}

    /** The agent layer checks it itself ({@link AgentGuard#handle}). */
    record AgentLayer() implements Requirement {}

    static Requirement of(Op<?> op) throws SemfsException {
        return switch (op) {
            case Op.Stat o -> new Traverse(norm(o.path()), o.follow());
            case Op.ListDir o -> new Traverse(norm(o.path()), true);
            case Op.ReadFile o -> one(o.path(), Right.READ, true, false);
            case Op.WriteFile o -> one(o.path(), Right.WRITE, true, false);
            case Op.Mkdir o -> one(o.path(), Right.WRITE, false, false);
            case Op.Remove o -> one(o.path(), Right.WRITE, false, true);
            case Op.Move o -> new Paths(List.of(need(o.from(), Right.WRITE, false, true), need(o.to(), Right.WRITE, false, true)));
            case Op.Symlink o -> one(o.path(), Right.WRITE, false, false);
            case Op.Link o -> new Paths(List.of(need(o.existing(), Right.WRITE, false, false), need(o.path(), Right.WRITE, false, false)));
            case Op.ReadLink o -> one(o.path(), Right.READ, false, false);
            case Op.SetAttr o -> one(o.path(), Right.WRITE, o.follow(), false);
            case Op.Truncate o -> one(o.path(), Right.WRITE, true, false);
            case Op.GetXattr o -> one(o.path(), Right.READ, false, false);
            case Op.ListXattrs o -> one(o.path(), Right.READ, false, false);
            case Op.SetXattr o -> one(o.path(), Right.WRITE, false, false);
            case Op.RemoveXattr o -> one(o.path(), Right.WRITE, false, false);
            case Op.StatFs o -> new Known();
            case Op.Open o -> one(o.path(), o.write() || o.create() || o.truncate() ? Right.WRITE : Right.READ, true, false);
            case Op.HandleRead o -> new OwnHandle(o.handle());
            case Op.HandleWrite o -> new OwnHandle(o.handle());
            case Op.HandleAppend o -> new OwnHandle(o.handle());
            case Op.HandleTruncate o -> new OwnHandle(o.handle());
            case Op.HandleStat o -> new OwnHandle(o.handle());
            case Op.HandleSync o -> new OwnHandle(o.handle());
            case Op.HandleClose o -> new OwnHandle(o.handle());
            case Op.Release o -> new OwnHandle(o.handle());
            case Op.Log o -> one(o.path(), Right.READ, false, false);
            case Op.ReadVersion o -> one(o.path(), Right.READ, false, false);
            // Without a "to" version the diff reads the live file, following a symlink.
            case Op.Diff o -> one(o.path(), Right.READ, o.to() == null, false);
            case Op.Rollback o -> one(o.path(), Right.WRITE, false, true);
            case Op.Snapshot o -> new Admin();
            case Op.ListSnapshots o -> new Known();
            case Op.Restore o -> one(o.path() == null ? "/" : o.path(), Right.WRITE, false, true);
            case Op.SnapshotDir o -> new Traverse(norm(o.path()), false);
            case Op.SnapshotRead o -> new Paths(List.of(new Need(norm(o.path()), Right.READ, false, false)));
            case Op.Status o -> new Admin();
            case Op.Gc o -> new Admin();
            case Op.Changes o -> new Known();
            case Op.Search o -> new Known();
            case Op.Summarize o -> new Known(); // built from the caller's own checked reads, searches and change feed
            case Op.Mount o -> new Known(); // the mount acts as this agent: every call through it is checked
            case Op.Reindex o -> new Admin();
            case Op.AgentOp<?> o -> new AgentLayer();
        };
    }

    /** Whether the op's paths name the live tree (symlinks resolve) rather than a snapshot. */
    static boolean live(Op<?> op) {
        return !(op instanceof Op.SnapshotRead) && !(op instanceof Op.SnapshotDir);
    }

    private static Paths one(String path, Right right, boolean follow, boolean tree) throws SemfsException {
        return new Paths(List.of(need(path, right, follow, tree)));
    }

    private static Need need(String path, Right right, boolean follow, boolean tree) throws SemfsException {
        return new Need(norm(path), right, follow, tree);
    }

    private static String norm(String path) throws SemfsException {
        return WorkspacePaths.normalize(path);
    }
}
