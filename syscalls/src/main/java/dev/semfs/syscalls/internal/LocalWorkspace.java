package dev.semfs.syscalls.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.ChangeList;
import dev.semfs.syscalls.Content;
import dev.semfs.syscalls.DiffResult;
import dev.semfs.syscalls.Done;
import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.FsStats;
import dev.semfs.syscalls.GcInfo;
import dev.semfs.syscalls.Handle;
import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.History;
import dev.semfs.syscalls.LinkTarget;
import dev.semfs.syscalls.Listing;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Removed;
import dev.semfs.syscalls.RollbackResult;
import dev.semfs.syscalls.SnapshotInfo;
import dev.semfs.syscalls.Snapshots;
import dev.semfs.syscalls.StatusInfo;
import dev.semfs.syscalls.VersionInfo;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Written;
import dev.semfs.syscalls.XattrNames;
import dev.semfs.syscalls.XattrValue;
import dev.semfs.versioning.Change;
import dev.semfs.versioning.ChangeRecord;
import dev.semfs.versioning.CheckReport;
import dev.semfs.versioning.DirEntry;
import dev.semfs.versioning.FileType;
import dev.semfs.versioning.GcReport;
import dev.semfs.versioning.Inode;
import dev.semfs.versioning.PathVersion;
import dev.semfs.versioning.RetentionPolicy;
import dev.semfs.versioning.SnapshotEntry;
import dev.semfs.versioning.SnapshotRecord;
import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.StoreStats;
import dev.semfs.versioning.VersionKind;
import dev.semfs.versioning.VersionRecord;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The core API over one store, in this process. Resolves and validates paths, keeps the table
 * of open handles, and turns path-level requests (history, rollback, restore) into node-level
 * store operations. Thread-safe: the store serialises what must be serialised.
 */
public final class LocalWorkspace implements Workspace {
    /** Largest whole-file read; larger files are read with offset and length. */
    static final int MAX_READ = 64 << 20;
    private static final int MAX_SYMLINK_HOPS = 40;

    private final Path storeDir;
    private final WorkspaceStore store;
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final ConcurrentHashMap<Long, OpenFile> handles = new ConcurrentHashMap<>();
    private final java.util.concurrent.locks.ReentrantReadWriteLock lifecycle = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private volatile boolean closed;
    private final AgentGuard agents; // [agents] identities, permissions, audit, leases: AgentGuard
    private final IndexService index; // null when the workspace keeps no semantic index


    /** An open file: the node stays readable after unlink; its path follows renames for version records. */
    private static final class OpenFile {
        final long ino;
        final boolean writable;
        volatile String path;
        /** Something to version at release: data written, or the file created or truncated by the open. */
        volatile boolean written;
        /**
         * Data written through the handle (write or ftruncate) since its last version. Only this
         * makes a close(2) a version: a shell's {@code > f} opens, dup2s and closes the first
         * descriptor before anything is written, and that close must not version the empty file.
         */
        volatile boolean dataWritten;
        final Caller caller;

        OpenFile(long ino, String path, boolean writable, Caller caller) {
            this.ino = ino;
            this.path = path;
            this.writable = writable;
            this.caller = caller;
        }
    }

    private LocalWorkspace(Path storeDir, WorkspaceStore store, AgentGuard agents, IndexSetup indexSetup) {
        this.storeDir = storeDir;
        this.store = store;
        this.agents = agents; // [agents]
        this.index = indexSetup.enabled() ? new IndexService(store, storeDir.resolve("index"), indexSetup) : null;
    }

    public static LocalWorkspace open(Path storeDir, StoreOptions options) throws IOException {
        return open(storeDir, options, IndexSetup.onDemand());
    }

    public static LocalWorkspace open(Path storeDir, StoreOptions options, IndexSetup indexSetup) throws IOException {
        WorkspaceStore store = WorkspaceStore.open(storeDir, options);
        try { // [agents] the agent layer loads its settings from the store
            LocalWorkspace ws = new LocalWorkspace(storeDir, store, AgentGuard.open(store, options.clock()), indexSetup);
            if (indexSetup.enabled() && indexSetup.background()) ws.index.index(); // start indexing now
            return ws;
        } catch (IOException | RuntimeException e) { // [agents]
            store.close(); // [agents]
            throw e; // [agents]
        } // [agents]
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> R call(Caller caller, Op<R> op) throws IOException {
        // Calls run under the read side of the lifecycle lock, close under the write side: a
        // call racing with close gets a clear error instead of touching a closed native store.
        if (!lifecycle.readLock().tryLock()) throw closedError();
        try {
            if (closed) throw closedError();
            R result = agents.call(caller, op, this::dispatch); // [agents] the one permission check point
            if (!listeners.isEmpty()) notifyChanged(caller, op, result);
            if (index != null) {
                long seq = store.lastChangeSeq();
                if (seq != lastSeenSeq) {
                    lastSeenSeq = seq;
                    index.poke();
                }
            }
            return result;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private volatile long lastSeenSeq;

    private final List<dev.semfs.syscalls.ChangeListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public Runnable onChange(dev.semfs.syscalls.ChangeListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void notifyChanged(Caller caller, Op<?> op, Object result) {
        List<String> paths;
        try {
            paths = changedPaths(op, result);
        } catch (SemfsException e) {
            return; // a path that does not normalise changed nothing
        }
        if (paths.isEmpty()) return;
        for (dev.semfs.syscalls.ChangeListener l : listeners) {
            try {
                l.changed(caller, paths);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(LocalWorkspace.class).warn("change listener failed: {}", e.toString(), e);
            }
        }
    }

    /** What {@code op} changed, for {@link dev.semfs.syscalls.ChangeListener}s. */
    private List<String> changedPaths(Op<?> op, Object result) throws SemfsException {
        return switch (op) {
            case Op.WriteFile o -> List.of(norm(o.path()));
            case Op.Mkdir o -> List.of(norm(o.path()));
            case Op.Remove o -> List.of(norm(o.path()));
            case Op.Move o -> List.of(norm(o.from()), norm(o.to()));
            case Op.Symlink o -> List.of(norm(o.path()));
            case Op.Link o -> List.of(norm(o.existing()), norm(o.path()));
            case Op.SetAttr o -> List.of(norm(o.path()));
            case Op.Truncate o -> List.of(norm(o.path()));
            case Op.SetXattr o -> List.of(norm(o.path()));
            case Op.RemoveXattr o -> List.of(norm(o.path()));
            case Op.Open o -> o.create() || o.truncate() ? List.of(norm(o.path())) : List.of();
            case Op.HandleWrite o -> handlePath(o.handle());
            case Op.HandleAppend o -> handlePath(o.handle());
            case Op.HandleTruncate o -> handlePath(o.handle());
            case Op.Rollback o -> rolledBack(norm(o.path()), result);
            case Op.Restore o -> rolledBack(o.path() == null ? "/" : norm(o.path()), result);
            case Op.Undo o -> rolledBack(null, result);
            default -> List.of();
        };
    }

    private List<String> handlePath(long handle) {
        OpenFile f = handles.get(handle);
        return f == null || f.path == null ? List.of() : List.of(f.path);
    }

    private static List<String> rolledBack(String path, Object result) {
        List<String> out = new ArrayList<>();
        if (path != null) out.add(path);
        if (result instanceof RollbackResult r) {
            for (RollbackResult.Entry e : r.changed()) if (!"unchanged".equals(e.action())) out.add(e.path());
        }
        return out;
    }

    private static SemfsException closedError() {
        return new SemfsException(ErrorCode.IO, null, "workspace is closed");
    }

    @SuppressWarnings("unchecked")
    private <R> R dispatch(Caller caller, Op<R> op) throws IOException {
        Object result = switch (op) {
            case Op.Stat o -> stat(norm(o.path()), o.follow());
            case Op.ListDir o -> list(norm(o.path()));
            case Op.ReadFile o -> readFile(norm(o.path()), o.offset(), o.length());
            case Op.WriteFile o -> writeFile(caller, norm(o.path()), o.data(), o.append(), o.createParents());
            case Op.Mkdir o -> mkdir(caller, norm(o.path()), o.parents(), o.mode());
            case Op.Remove o -> remove(caller, norm(o.path()), o.recursive());
            case Op.Move o -> move(caller, norm(o.from()), norm(o.to()));
            case Op.Symlink o -> symlink(caller, norm(o.path()), o.target());
            case Op.Link o -> link(caller, norm(o.existing()), norm(o.path()));
            case Op.ReadLink o -> readLink(norm(o.path()));
            case Op.SetAttr o -> setAttr(caller, norm(o.path()), o);
            case Op.Truncate o -> truncate(caller, norm(o.path()), o.size());
            case Op.GetXattr o -> getXattr(norm(o.path()), o.name());
            case Op.ListXattrs o -> new XattrNames(List.copyOf(store.xattrs(resolve(norm(o.path()), false).ino()).keySet()));
            case Op.SetXattr o -> setXattr(caller, norm(o.path()), o);
            case Op.RemoveXattr o -> removeXattr(caller, norm(o.path()), o.name());
            case Op.StatFs o -> statFs();
            case Op.Open o -> open(caller, norm(o.path()), o);
            case Op.HandleRead o -> handleRead(o);
            case Op.HandleWrite o -> handleWrite(o);
            case Op.HandleAppend o -> handleAppend(o);
            case Op.HandleTruncate o -> handleTruncate(o);
            case Op.HandleStat o -> handleStat(o.handle());
            case Op.HandleSync o -> handleSync(o.handle());
            case Op.HandleClose o -> handleClose(o.handle());
            case Op.Release o -> release(o.handle());
            case Op.Log o -> log(norm(o.path()));
            case Op.ReadVersion o -> readVersion(norm(o.path()), o.version(), o.offset(), o.length());
            case Op.Diff o -> diff(norm(o.path()), o.from(), o.to());
            case Op.Rollback o -> rollback(caller, norm(o.path()), o.target());
            case Op.Snapshot o -> snapshotInfo(store.snapshot(o.name(), change(caller, "/")));
            case Op.ListSnapshots o -> new Snapshots(store.snapshots().stream().map(LocalWorkspace::snapshotInfo).toList());
            case Op.Restore o -> restore(caller, o.snapshot(), o.path() == null ? "/" : norm(o.path()));
            case Op.SnapshotDir o -> snapshotDir(o.snapshot(), norm(o.path()));
            case Op.SnapshotRead o -> snapshotRead(o.snapshot(), norm(o.path()), o.offset(), o.length());
            case Op.Status o -> status(o.check());
            case Op.Gc o -> gc(o.retention());
            case Op.AgentOp<?> o -> agents.handle(caller, o, this::dispatch); // [agents]
            case Op.Mount o -> throw new SemfsException(ErrorCode.INVALID_ARGUMENT, o.mountPoint(),
                    "no semfs daemon serves this workspace: start one with 'semfs mount'");
            case Op.Search o -> requireIndex().search(o);
            case Op.Summarize o -> new Summaries(this).summarize(caller, o);
            case Op.Reindex o -> requireIndex().rebuild();
            case Op.Changes o -> changes(o.afterSeq(), o.max(), o.pathPrefix() == null ? "/" : norm(o.pathPrefix()));
        };
        return (R) result;
    }

    /** The index service, for tests in this package. */
    IndexService indexService() {
        return index;
    }

    private IndexService requireIndex() throws SemfsException {
        if (index == null) throw new SemfsException(ErrorCode.INVALID_ARGUMENT, null, "this workspace was opened without a semantic index");
        return index;
    }

    private static String norm(String path) throws SemfsException {
        return WorkspacePaths.normalize(path);
    }

    private static Change change(Caller c, String path) {
        return new Change(c.agent(), c.via(), "", path, null);
    }

    // ==========================================================================================
    // resolution
    // ==========================================================================================

    /** Resolves a normalised path to a node; intermediate symlinks are followed, the last only if asked. */
    Inode resolve(String path, boolean followLast) throws IOException {
        return resolve(path, followLast, 0);
    }

    private Inode resolve(String path, boolean followLast, int hops) throws IOException {
        Inode cur = store.stat(WorkspaceStore.ROOT);
        String curPath = "/";
        List<String> parts = WorkspacePaths.components(path);
        for (int i = 0; i < parts.size(); i++) {
            if (!cur.isDirectory()) throw new NotDirectoryException(curPath);
            String name = parts.get(i);
            Optional<Inode> next = store.lookup(cur.ino(), name);
            if (next.isEmpty()) throw new NoSuchFileException(path);
            Inode n = next.get();
            String nPath = WorkspacePaths.child(curPath, name);
            boolean last = i == parts.size() - 1;
            if (n.isSymlink() && (!last || followLast)) {
                if (hops >= MAX_SYMLINK_HOPS) throw new FileSystemLoopException(path);
                String target = n.symlinkTarget();
                String base = target.startsWith("/") ? target : WorkspacePaths.child(curPath, target);
                String rest = String.join("/", parts.subList(i + 1, parts.size()));
                String full = WorkspacePaths.normalize(rest.isEmpty() ? base : base + "/" + rest);
                return resolve(full, followLast, hops + 1);
            }
            cur = n;
            curPath = nPath;
        }
        return cur;
    }

    /** The directory that holds (or would hold) {@code path}. */
    private Inode parentDir(String path) throws IOException {
        if (path.equals("/")) throw SemfsException.invalid("/", "the root has no parent");
        Inode p = resolve(WorkspacePaths.parent(path), true);
        if (!p.isDirectory()) throw new NotDirectoryException(WorkspacePaths.parent(path));
        return p;
    }

    private Optional<Inode> lookupIn(Inode dir, String path) throws IOException {
        return store.lookup(dir.ino(), WorkspacePaths.name(path));
    }

    private FileInfo info(String path, Inode n) throws IOException {
        long version = store.latestPathVersion(path).map(PathVersion::number).orElse(0L);
        return new FileInfo(path, path.equals("/") ? "/" : WorkspacePaths.name(path), n.ino(), typeName(n.type()),
                n.mode(), n.uid(), n.gid(), n.nlink(), n.size(), n.atime(), n.mtime(), n.ctime(), n.birthtime(),
                version, n.changedSinceVersion(), n.symlinkTarget());
    }

    static String typeName(FileType t) {
        return switch (t) {
            case FILE -> "file";
            case DIRECTORY -> "directory";
            case SYMLINK -> "symlink";
        };
    }

    // ==========================================================================================
    // files and directories
    // ==========================================================================================

    private FileInfo stat(String path, boolean follow) throws IOException {
        return info(path, resolve(path, follow));
    }

    private Listing list(String path) throws IOException {
        Inode dir = resolve(path, true);
        if (!dir.isDirectory()) throw new NotDirectoryException(path);
        List<FileInfo> out = new ArrayList<>();
        for (DirEntry e : store.list(dir.ino())) {
            String child = WorkspacePaths.child(path, e.name());
            try {
                out.add(info(child, store.stat(e.ino())));
            } catch (NoSuchFileException gone) {
                // removed while we listed
            }
        }
        return new Listing(path, out);
    }

    private Content readFile(String path, long offset, int length) throws IOException {
        Inode n = resolve(path, true);
        if (n.isDirectory()) throw SemfsException.isDirectory(path);
        if (offset < 0) throw SemfsException.invalid(path, "negative offset");
        long available = Math.max(0, n.size() - offset);
        if (length < 0 && available > MAX_READ) {
            throw new SemfsException(ErrorCode.TOO_LARGE, path, "file is " + n.size()
                    + " bytes; read it in parts of at most " + MAX_READ + " bytes with an offset and length");
        }
        int want = (int) Math.min(length < 0 ? available : Math.min(length, MAX_READ), available);
        byte[] data = readFully(n.ino(), offset, want);
        return new Content(path, data, offset, n.size(), 0);
    }

    /**
     * Reads go through a per-thread buffer: a reader asks for what it can take (a FUSE read
     * of a small file asks for 128 KiB, and once more at its end), and zeroing an array of the
     * asked size cost more than the read. The result is copied out at its real length.
     */
    private static final int SCRATCH = 256 * 1024;
    private static final ThreadLocal<byte[]> SCRATCH_BUFFER = ThreadLocal.withInitial(() -> new byte[SCRATCH]);

    private byte[] readFully(long ino, long offset, int want) throws IOException {
        boolean scratch = want <= SCRATCH;
        byte[] data = scratch ? SCRATCH_BUFFER.get() : new byte[want];
        int pos = 0;
        while (pos < want) {
            int r = store.read(ino, offset + pos, data, pos, want - pos);
            if (r <= 0) break;
            pos += r;
        }
        return !scratch && pos == want ? data : java.util.Arrays.copyOf(data, pos);
    }

    private FileInfo writeFile(Caller caller, String path, byte[] data, boolean append, boolean createParents)
            throws IOException {
        WorkspacePaths.checkWritable(path);
        if (data == null) throw SemfsException.invalid(path, "no data");
        // The path may change under us (another writer creates it, renames over it, deletes
        // it): resolve again and retry, so an acknowledged write is always a version.
        for (int attempt = 0; ; attempt++) {
            try {
                return writeFileOnce(caller, path, data, append, createParents);
            } catch (FileAlreadyExistsException | NoSuchFileException raced) {
                if (attempt >= 20) throw raced;
            }
        }
    }

    private FileInfo writeFileOnce(Caller caller, String path, byte[] data, boolean append, boolean createParents)
            throws IOException {
        if (createParents) mkdirs(caller, WorkspacePaths.parent(path));
        Inode dir = parentDir(path);
        Optional<Inode> existing = lookupIn(dir, path);
        Inode file;
        if (existing.isPresent()) {
            file = existing.get().isSymlink() ? resolve(path, true) : existing.get();
            if (file.isDirectory()) throw SemfsException.isDirectory(path);
        } else {
            file = store.create(dir.ino(), WorkspacePaths.name(path), FileType.FILE, 0644, uid(caller, dir),
                    gid(caller, dir), null, change(caller, path));
        }
        WorkspaceStore.WriteResult done = store.replace(file.ino(), data, append, change(caller, path));
        return info(path, done.inode());
    }

    private static int uid(Caller c, Inode dir) {
        return c.uid() >= 0 ? c.uid() : dir.uid();
    }

    private static int gid(Caller c, Inode dir) {
        return c.gid() >= 0 ? c.gid() : dir.gid();
    }

    private FileInfo mkdir(Caller caller, String path, boolean parents, int mode) throws IOException {
        if (parents && path.equals("/")) return info("/", store.stat(WorkspaceStore.ROOT)); // mkdir -p / succeeds
        WorkspacePaths.checkWritable(path);
        if (parents) return info(path, mkdirs(caller, path));
        Inode dir = parentDir(path);
        Inode made = store.create(dir.ino(), WorkspacePaths.name(path), FileType.DIRECTORY, mode == 0 ? 0755 : mode,
                uid(caller, dir), gid(caller, dir), null, change(caller, path));
        return info(path, made);
    }

    private Inode mkdirs(Caller caller, String path) throws IOException {
        Inode cur = store.stat(WorkspaceStore.ROOT);
        String curPath = "/";
        for (String name : WorkspacePaths.components(path)) {
            String next = WorkspacePaths.child(curPath, name);
            Optional<Inode> n = store.lookup(cur.ino(), name);
            if (n.isPresent()) {
                Inode found = n.get().isSymlink() ? resolve(next, true) : n.get();
                if (!found.isDirectory()) throw new NotDirectoryException(next);
                cur = found;
            } else {
                WorkspacePaths.checkWritable(next);
                try {
                    cur = store.create(cur.ino(), name, FileType.DIRECTORY, 0755, uid(caller, cur), gid(caller, cur),
                            null, change(caller, next));
                } catch (FileAlreadyExistsException raced) {
                    cur = store.lookup(cur.ino(), name).orElseThrow(() -> raced);
                }
            }
            curPath = next;
        }
        return cur;
    }

    private Removed remove(Caller caller, String path, boolean recursive) throws IOException {
        WorkspacePaths.checkWritable(path);
        Inode dir = parentDir(path);
        Inode n = lookupIn(dir, path).orElseThrow(() -> new NoSuchFileException(path));
        if (!n.isDirectory()) {
            store.unlink(dir.ino(), WorkspacePaths.name(path), change(caller, path));
            return new Removed(path, 1);
        }
        if (!recursive) {
            store.rmdir(dir.ino(), WorkspacePaths.name(path), change(caller, path));
            return new Removed(path, 1);
        }
        return new Removed(path, removeTree(caller, dir.ino(), n, path));
    }

    private int removeTree(Caller caller, long parentIno, Inode node, String path) throws IOException {
        int count = 0;
        if (node.isDirectory()) {
            for (DirEntry e : store.list(node.ino())) {
                count += removeTree(caller, node.ino(), store.stat(e.ino()), WorkspacePaths.child(path, e.name()));
            }
            store.rmdir(parentIno, WorkspacePaths.name(path), change(caller, path));
        } else {
            store.unlink(parentIno, WorkspacePaths.name(path), change(caller, path));
        }
        return count + 1;
    }

    private FileInfo move(Caller caller, String from, String to) throws IOException {
        WorkspacePaths.checkWritable(from);
        WorkspacePaths.checkWritable(to);
        Inode fromDir = parentDir(from);
        Inode toDir = parentDir(to);
        Inode moved = store.rename(fromDir.ino(), WorkspacePaths.name(from), toDir.ino(), WorkspacePaths.name(to),
                new Change(caller.agent(), caller.via(), "", from, to));
        for (OpenFile h : handles.values()) {
            String p = h.path;
            if (WorkspacePaths.isUnder(p, from) && !from.equals("/")) h.path = to + p.substring(from.length());
        }
        return info(to, moved);
    }

    private FileInfo symlink(Caller caller, String path, String target) throws IOException {
        WorkspacePaths.checkWritable(path);
        if (target == null || target.isEmpty() || target.indexOf('\0') >= 0 || target.length() > 4095) {
            throw SemfsException.invalid(path, "invalid symlink target");
        }
        Inode dir = parentDir(path);
        return info(path, store.create(dir.ino(), WorkspacePaths.name(path), FileType.SYMLINK, 0777,
                uid(caller, dir), gid(caller, dir), target, change(caller, path)));
    }

    private FileInfo link(Caller caller, String existing, String path) throws IOException {
        WorkspacePaths.checkWritable(path);
        Inode n = resolve(existing, false);
        Inode dir = parentDir(path);
        store.link(n.ino(), dir.ino(), WorkspacePaths.name(path), new Change(caller.agent(), caller.via(), "", existing, path));
        return stat(path, false);
    }

    private LinkTarget readLink(String path) throws IOException {
        Inode n = resolve(path, false);
        if (!n.isSymlink()) throw new NotLinkException(path);
        return new LinkTarget(path, n.symlinkTarget());
    }

    private FileInfo setAttr(Caller caller, String path, Op.SetAttr o) throws IOException {
        Inode n = resolve(path, o.follow());
        if (n.isSymlink() && o.mode() != null) throw SemfsException.invalid(path, "a symlink has no mode of its own");
        return info(path, store.setAttributes(n.ino(), o.mode(), o.uid(), o.gid(), o.atime(), o.mtime(), change(caller, path)));
    }

    private FileInfo truncate(Caller caller, String path, long size) throws IOException {
        WorkspacePaths.checkWritable(path);
        Inode n = resolve(path, true);
        if (n.isDirectory()) throw SemfsException.isDirectory(path);
        Change ch = change(caller, path);
        store.truncate(n.ino(), size, ch);
        store.commit(n.ino(), VersionKind.WRITE, ch); // a truncate by path is an open, truncate, close
        return info(path, store.stat(n.ino()));
    }

    private XattrValue getXattr(String path, String name) throws IOException {
        byte[] v = store.xattrs(resolve(path, false).ino()).get(name);
        if (v == null) throw new SemfsException(ErrorCode.NO_ATTRIBUTE, path, "no attribute " + name);
        return new XattrValue(name, v);
    }

    private Done setXattr(Caller caller, String path, Op.SetXattr o) throws IOException {
        Inode n = resolve(path, false);
        boolean exists = store.xattrs(n.ino()).containsKey(o.name());
        if (o.mode() == 1 && exists) throw new FileAlreadyExistsException(path, null, "attribute " + o.name() + " exists");
        if (o.mode() == 2 && !exists) throw new SemfsException(ErrorCode.NO_ATTRIBUTE, path, "no attribute " + o.name());
        store.setXattr(n.ino(), o.name(), o.value() == null ? new byte[0] : o.value(), change(caller, path));
        return Done.DONE;
    }

    private Done removeXattr(Caller caller, String path, String name) throws IOException {
        Inode n = resolve(path, false);
        if (!store.xattrs(n.ino()).containsKey(name)) throw new SemfsException(ErrorCode.NO_ATTRIBUTE, path, "no attribute " + name);
        store.removeXattr(n.ino(), name, change(caller, path));
        return Done.DONE;
    }

    private FsStats statFs() throws IOException {
        FileStore fs = Files.getFileStore(storeDir);
        return new FsStats(fs.getTotalSpace(), fs.getUnallocatedSpace(), fs.getUsableSpace(), 1L << 32, 1L << 31,
                WorkspacePaths.MAX_NAME_BYTES);
    }

    // ==========================================================================================
    // handles
    // ==========================================================================================

    private Handle open(Caller caller, String path, Op.Open o) throws IOException {
        if (o.write() || o.create()) WorkspacePaths.checkWritable(path);
        Inode dir = parentDir(path);
        Optional<Inode> existing = lookupIn(dir, path);
        Inode file;
        if (existing.isPresent()) {
            if (o.create() && o.exclusive()) throw new FileAlreadyExistsException(path);
            file = existing.get().isSymlink() ? resolve(path, true) : existing.get();
            if (file.isDirectory()) throw SemfsException.isDirectory(path);
        } else if (o.create()) {
            file = store.create(dir.ino(), WorkspacePaths.name(path), FileType.FILE, o.mode() == 0 ? 0644 : o.mode(),
                    uid(caller, dir), gid(caller, dir), null, change(caller, path));
        } else {
            throw new NoSuchFileException(path);
        }
        store.retain(file.ino());
        OpenFile h = new OpenFile(file.ino(), path, o.write(), caller);
        if (o.truncate() && o.write() && file.size() > 0) {
            if (file.changedSinceVersion()) {
                // Another handle's writes are not a version yet: keep them before truncating.
                store.commit(file.ino(), VersionKind.WRITE, change(caller, path).withReason("before truncate"));
            }
            store.truncate(file.ino(), 0, change(caller, path));
            h.written = true;
        }
        if (existing.isEmpty()) h.written = true; // a created file is versioned on its first close
        long id = nextHandle.getAndIncrement();
        handles.put(id, h);
        return new Handle(id, info(path, store.stat(file.ino())));
    }

    private OpenFile handle(long id) throws SemfsException {
        OpenFile h = handles.get(id);
        if (h == null) throw new SemfsException(ErrorCode.BAD_HANDLE, "#" + id, "no such open file");
        return h;
    }

    private Content handleRead(Op.HandleRead o) throws IOException {
        OpenFile h = handle(o.handle());
        if (o.length() < 0 || o.length() > MAX_READ) throw SemfsException.invalid(h.path, "read length out of range");
        byte[] data = readFully(h.ino, o.offset(), o.length());
        return new Content(h.path, data, o.offset(), -1, 0);
    }

    private Written handleWrite(Op.HandleWrite o) throws IOException {
        OpenFile h = writableHandle(o.handle());
        store.write(h.ino, o.offset(), o.data(), 0, o.data().length, change(h.caller, h.path));
        return written(h, o.data());
    }

    private Written handleAppend(Op.HandleAppend o) throws IOException {
        OpenFile h = writableHandle(o.handle());
        store.append(h.ino, o.data(), 0, o.data().length, change(h.caller, h.path));
        return written(h, o.data());
    }

    private OpenFile writableHandle(long id) throws SemfsException {
        OpenFile h = handle(id);
        if (!h.writable) throw new SemfsException(ErrorCode.BAD_HANDLE, h.path, "file is not open for writing");
        return h;
    }

    /** An append is a write to versions and the change feed: the handle's close cuts a version. */
    private static Written written(OpenFile h, byte[] data) {
        h.written = true;
        h.dataWritten = true;
        return new Written(data.length);
    }

    private FileInfo handleTruncate(Op.HandleTruncate o) throws IOException {
        OpenFile h = handle(o.handle());
        if (!h.writable) throw new SemfsException(ErrorCode.BAD_HANDLE, h.path, "file is not open for writing");
        store.truncate(h.ino, o.size(), change(h.caller, h.path));
        h.written = true;
        h.dataWritten = true;
        return info(h.path, store.stat(h.ino));
    }

    private FileInfo handleStat(long id) throws IOException {
        OpenFile h = handle(id);
        return info(h.path, store.stat(h.ino));
    }

    private Done handleSync(long id) throws IOException {
        store.sync(handle(id).ino);
        return Done.DONE;
    }

    private Done handleClose(long id) throws IOException {
        OpenFile h = handle(id);
        if (!h.dataWritten) return Done.DONE;
        // Cleared first: a write racing with this cut sets them again, so its bytes are in this
        // version or in one the release cuts, never in neither.
        h.dataWritten = false;
        h.written = false;
        try {
            cutCloseVersion(h);
        } catch (IOException | RuntimeException e) {
            h.written = true;
            h.dataWritten = true;
            throw e;
        }
        return Done.DONE;
    }

    /** The version a close of a written handle cuts, attributed to the agent that opened it. */
    private void cutCloseVersion(OpenFile h) throws IOException {
        store.commit(h.ino, VersionKind.WRITE, change(h.caller, h.path).withReason("close"));
    }

    private Done release(long id) throws IOException {
        OpenFile h = handles.remove(id);
        if (h == null) throw new SemfsException(ErrorCode.BAD_HANDLE, "#" + id, "no such open file");
        try {
            if (h.written) cutCloseVersion(h);
        } finally {
            store.release(h.ino);
        }
        return Done.DONE;
    }

    // ==========================================================================================
    // history
    // ==========================================================================================

    private History log(String path) throws IOException {
        List<PathVersion> entries = store.pathHistory(path);
        if (entries.isEmpty()) {
            Inode n = resolve(path, false); // exists but never versioned (a new file not yet closed)
            return new History(path, false, List.of());
        }
        List<VersionInfo> out = new ArrayList<>();
        for (PathVersion pv : entries) {
            VersionInfo vi = versionInfo(pv);
            if (vi != null) out.add(vi);
        }
        boolean deleted = entries.getLast().isGone() && store.lookup(parentIno(path), WorkspacePaths.name(path)).isEmpty();
        return new History(path, deleted, out, movedFrom(entries.getFirst()));
    }

    /** The path a file's history continues from, when its first entry here is a rename. */
    private String movedFrom(PathVersion first) throws IOException {
        if (first.kind() != VersionKind.RENAME || first.version() <= 1) return null;
        try {
            VersionRecord before = store.version(first.ino(), first.version() - 1);
            return before.path() != null && !before.path().equals(first.path()) ? before.path() : null;
        } catch (NoSuchFileException dropped) {
            return null;
        }
    }

    private long parentIno(String path) throws IOException {
        try {
            return resolve(WorkspacePaths.parent(path), true).ino();
        } catch (NoSuchFileException | NotDirectoryException e) {
            return -1;
        }
    }

    /** Describes one history entry; null when retention dropped the node version behind it. */
    private VersionInfo versionInfo(PathVersion pv) throws IOException {
        if (pv.kind() == VersionKind.MOVED) {
            return new VersionInfo(pv.number(), pv.time(), 0, "moved", "", "renamed away", pv.path());
        }
        try {
            VersionRecord v = store.version(pv.ino(), pv.version());
            return new VersionInfo(pv.number(), pv.time(), v.isTombstone() ? 0 : v.size(),
                    pv.kind().name().toLowerCase(java.util.Locale.ROOT), v.agent(), v.reason(), pv.path());
        } catch (NoSuchFileException dropped) {
            return null;
        }
    }

    private PathVersion entry(String path, long number) throws IOException {
        for (PathVersion pv : store.pathHistory(path)) {
            if (pv.number() == number) {
                if (pv.isGone()) throw SemfsException.invalid(path, "version " + number + " is the " + (pv.kind() == VersionKind.MOVED ? "rename" : "deletion") + " of the file; it has no content");
                try {
                    store.version(pv.ino(), pv.version());
                } catch (NoSuchFileException dropped) {
                    throw new NoSuchFileException(path, null, "version " + number + " was dropped by the retention policy");
                }
                return pv;
            }
        }
        throw new NoSuchFileException(path, null, "no version " + number);
    }

    private Content readVersion(String path, long number, long offset, int length) throws IOException {
        PathVersion pv = entry(path, number);
        VersionRecord v = store.version(pv.ino(), pv.version());
        if (v.type() == FileType.DIRECTORY) throw SemfsException.isDirectory(path);
        if (v.type() == FileType.SYMLINK) {
            byte[] t = v.symlinkTarget().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return new Content(path, t, 0, t.length, number);
        }
        long available = Math.max(0, v.size() - offset);
        if (length < 0 && available > MAX_READ) {
            throw new SemfsException(ErrorCode.TOO_LARGE, path, "version is " + v.size() + " bytes; read it in parts");
        }
        int want = (int) Math.min(length < 0 ? available : Math.min(length, MAX_READ), available);
        byte[] data = new byte[want];
        int pos = 0;
        while (pos < want) {
            int r = store.readVersion(pv.ino(), pv.version(), offset + pos, data, pos, want - pos);
            if (r <= 0) break;
            pos += r;
        }
        return new Content(path, data, offset, v.size(), number);
    }

    private byte[] versionBytes(String path, long number) throws IOException {
        return readVersion(path, number, 0, -1).data();
    }

    private DiffResult diff(String path, Long from, Long to) throws IOException {
        List<PathVersion> entries = store.pathHistory(path).stream().filter(pv -> !pv.isGone()).toList();
        Optional<Inode> live = liveFile(path);
        long toN;
        long fromN;
        if (to == null && from == null) {
            if (entries.isEmpty()) throw new NoSuchFileException(path, null, "no versions to compare");
            boolean dirty = live.isPresent() && live.get().changedSinceVersion();
            if (dirty) {
                toN = -1;
                fromN = entries.getLast().number();
            } else {
                toN = entries.getLast().number();
                fromN = entries.size() > 1 ? entries.get(entries.size() - 2).number() : 0;
            }
        } else {
            toN = to == null ? -1 : to;
            if (from != null) {
                fromN = from;
            } else {
                long limit = toN < 0 ? Long.MAX_VALUE : toN;
                fromN = entries.stream().mapToLong(PathVersion::number).filter(n -> n < limit).max().orElse(0);
            }
        }
        byte[] a = fromN == 0 ? new byte[0] : versionBytes(path, fromN);
        byte[] b;
        if (toN < 0) {
            Inode n = live.orElseThrow(() -> new NoSuchFileException(path, null, "file does not exist now; name a version"));
            b = readFile(path, 0, -1).data();
        } else {
            b = versionBytes(path, toN);
        }
        return TextDiff.diff(path, fromN, toN, a, b);
    }

    private Optional<Inode> liveFile(String path) throws IOException {
        try {
            Inode n = resolve(path, true);
            return n.isFile() ? Optional.of(n) : Optional.empty();
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        }
    }

    private Optional<Inode> liveNode(String path) throws IOException {
        try {
            return Optional.of(resolve(path, false));
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        }
    }

    // ==========================================================================================
    // rollback and restore
    // ==========================================================================================

    /** What a path should be after a rollback or restore: a node version, or absent. */
    private record Target(long ino, long version, FileType type, long fromNumber) {}

    private RollbackResult rollback(Caller caller, String path, Op.RollbackTarget t) throws IOException {
        int given = (t.version() != null ? 1 : 0) + (t.back() != null ? 1 : 0) + (t.at() != null ? 1 : 0);
        if (given != 1) throw SemfsException.invalid(path, "give exactly one of: a version, a count back, a time");
        WorkspacePaths.checkWritable(path.equals("/") ? "/x" : path);
        Optional<Inode> live = liveNode(path);
        boolean tree = live.map(Inode::isDirectory).orElse(false) || path.equals("/");
        if (!tree && live.isEmpty()) {
            Map<String, List<PathVersion>> below = store.pathHistoriesUnder(path);
            below.remove(path);
            boolean wasFile = false;
            for (PathVersion pv : store.pathHistory(path)) wasFile |= !pv.isGone() && isFileVersion(pv);
            tree = !below.isEmpty() && !wasFile;
        }
        if (tree) {
            if (t.at() == null) {
                throw SemfsException.invalid(path, "a directory rolls back to a time (--at), not to a version number");
            }
            return applyTargets(caller, path, targetsAt(path, t.at()), VersionKind.ROLLBACK);
        }
        List<PathVersion> history = store.pathHistory(path);
        if (history.isEmpty()) throw new NoSuchFileException(path, null, "no history");
        PathVersion chosen;
        if (t.version() != null) {
            chosen = entry(path, t.version());
        } else if (t.back() != null) {
            if (t.back() < 1) throw SemfsException.invalid(path, "--back needs a count of 1 or more");
            List<PathVersion> contents = history.stream().filter(pv -> !pv.isGone()).toList();
            int idx = contents.size() - 1 - t.back();
            if (idx < 0) throw SemfsException.invalid(path, "only " + contents.size() + " versions; cannot go back " + t.back());
            chosen = contents.get(idx);
        } else {
            chosen = latestAt(history, t.at());
            if (chosen == null) throw SemfsException.invalid(path, "the file did not exist at " + t.at());
        }
        Map<String, Target> targets = new TreeMap<>();
        targets.put(path, chosen.isGone() ? null
                : new Target(chosen.ino(), chosen.version(), store.version(chosen.ino(), chosen.version()).type(), chosen.number()));
        return applyTargets(caller, path, targets, VersionKind.ROLLBACK);
    }

    private boolean isFileVersion(PathVersion pv) throws IOException {
        try {
            return store.version(pv.ino(), pv.version()).type() != FileType.DIRECTORY;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static PathVersion latestAt(List<PathVersion> history, Instant at) {
        long t = at.getEpochSecond() * 1_000_000_000L + at.getNano();
        PathVersion found = null;
        for (PathVersion pv : history) if (pv.time() <= t) found = pv;
        return found;
    }

    /** The state of every path under {@code prefix} at a time, from the path histories. */
    private Map<String, Target> targetsAt(String prefix, Instant at) throws IOException {
        Map<String, Target> targets = new TreeMap<>();
        for (Map.Entry<String, List<PathVersion>> e : store.pathHistoriesUnder(prefix).entrySet()) {
            PathVersion pv = latestAt(e.getValue(), at);
            if (pv == null || pv.isGone()) {
                targets.put(e.getKey(), null);
                continue;
            }
            try {
                VersionRecord v = store.version(pv.ino(), pv.version());
                targets.put(e.getKey(), new Target(pv.ino(), pv.version(), v.type(), pv.number()));
            } catch (NoSuchFileException dropped) {
                targets.put(e.getKey(), null);
            }
        }
        return targets;
    }

    private RollbackResult restore(Caller caller, String snapshotName, String path) throws IOException {
        WorkspacePaths.checkWritable(path.equals("/") ? "/x" : path);
        SnapshotRecord snap = store.snapshot(snapshotName);
        Map<String, Target> targets = new TreeMap<>();
        for (SnapshotEntry e : store.snapshotEntries(snap.id(), path)) {
            targets.put(e.path(), new Target(e.ino(), e.version(), e.type(), 0));
        }
        if (targets.isEmpty() && !path.equals("/")) throw new NoSuchFileException(path, null, "not in snapshot " + snap.name());
        return applyTargets(caller, path, targets, VersionKind.RESTORE);
    }

    /**
     * Makes the tree under {@code prefix} match {@code targets} (null: must not exist). Paths not
     * named in targets and not live are left alone; live paths that are not targets are removed.
     * Every change is a new version; nothing is rewritten.
     */
    private RollbackResult applyTargets(Caller caller, String prefix, Map<String, Target> targets, VersionKind kind)
            throws IOException {
        List<RollbackResult.Entry> done = new ArrayList<>();
        String reason = kind == VersionKind.RESTORE ? "restore" : "rollback";
        // 1. Remove what should not exist (deepest first), or exists with another type.
        Map<String, Inode> liveTree = new TreeMap<>(Comparator.reverseOrder());
        Optional<Inode> top = liveNode(prefix);
        if (top.isPresent()) collect(prefix, top.get(), liveTree);
        for (Map.Entry<String, Inode> e : liveTree.entrySet()) {
            String p = e.getKey();
            if (p.equals("/") || WorkspacePaths.isUnder(p, "/" + WorkspacePaths.RESERVED)) continue;
            Target t = targets.get(p);
            boolean keep = t != null && (t.type() == FileType.DIRECTORY) == e.getValue().isDirectory();
            if (!keep) {
                Inode dir = resolve(WorkspacePaths.parent(p), true);
                Change ch = change(caller, p).withReason(reason);
                if (e.getValue().isDirectory()) store.rmdir(dir.ino(), WorkspacePaths.name(p), ch);
                else store.unlink(dir.ino(), WorkspacePaths.name(p), ch);
                done.add(new RollbackResult.Entry(p, "removed", 0, store.latestPathVersion(p).map(PathVersion::number).orElse(0L)));
            }
        }
        // 2. Bring back or set what should exist, parents first.
        for (Map.Entry<String, Target> e : new TreeMap<>(targets).entrySet()) {
            String p = e.getKey();
            Target t = e.getValue();
            if (t == null || p.equals("/")) continue;
            Change ch = change(caller, p).withReason(reason);
            Optional<Inode> cur = liveNode(p);
            if (t.type() == FileType.DIRECTORY) {
                if (cur.isEmpty()) {
                    mkdirs(caller, WorkspacePaths.parent(p));
                    Inode dir = resolve(WorkspacePaths.parent(p), true);
                    store.revive(t.ino(), t.version(), dir.ino(), WorkspacePaths.name(p), kind, ch);
                    done.add(new RollbackResult.Entry(p, "recreated", t.fromNumber(), latestNumber(p)));
                }
                continue;
            }
            if (cur.isPresent()) {
                Inode n = cur.get();
                boolean same = n.ino() == t.ino() && n.latestVersion() == t.version() && !n.changedSinceVersion();
                if (same) {
                    done.add(new RollbackResult.Entry(p, "unchanged", t.fromNumber(), latestNumber(p)));
                    continue;
                }
                store.restoreVersion(n.ino(), t.ino(), t.version(), kind, ch);
                done.add(new RollbackResult.Entry(p, "restored", t.fromNumber(), latestNumber(p)));
            } else {
                mkdirs(caller, WorkspacePaths.parent(p));
                Inode dir = resolve(WorkspacePaths.parent(p), true);
                store.revive(t.ino(), t.version(), dir.ino(), WorkspacePaths.name(p), kind, ch);
                done.add(new RollbackResult.Entry(p, "recreated", t.fromNumber(), latestNumber(p)));
            }
        }
        return new RollbackResult(done);
    }

    private long latestNumber(String path) throws IOException {
        return store.latestPathVersion(path).map(PathVersion::number).orElse(0L);
    }

    private void collect(String path, Inode node, Map<String, Inode> out) throws IOException {
        out.put(path, node);
        if (!node.isDirectory()) return;
        for (DirEntry e : store.list(node.ino())) {
            collect(WorkspacePaths.child(path, e.name()), store.stat(e.ino()), out);
        }
    }

    // ==========================================================================================
    // snapshots as directories
    // ==========================================================================================

    private Listing snapshotDir(String snapshotName, String path) throws IOException {
        SnapshotRecord snap = store.snapshot(snapshotName);
        List<SnapshotEntry> entries = store.snapshotEntries(snap.id(), path);
        if (!path.equals("/")) {
            SnapshotEntry self = entries.stream().filter(e -> e.path().equals(path)).findFirst()
                    .orElseThrow(() -> new NoSuchFileException(path, null, "not in snapshot " + snap.name()));
            if (self.type() != FileType.DIRECTORY) throw new NotDirectoryException(path);
        }
        List<FileInfo> out = new ArrayList<>();
        for (SnapshotEntry e : entries) {
            if (!e.path().equals(path) && WorkspacePaths.parent(e.path()).equals(path)) out.add(snapshotInfo(e));
        }
        return new Listing(path, out);
    }

    private static FileInfo snapshotInfo(SnapshotEntry e) {
        return new FileInfo(e.path(), WorkspacePaths.name(e.path()), e.ino(), typeName(e.type()), e.mode(), e.uid(),
                e.gid(), e.type() == FileType.DIRECTORY ? 2 : 1, e.size(), e.mtime(), e.mtime(), e.mtime(), e.mtime(),
                e.version(), false, e.symlinkTarget());
    }

    private Content snapshotRead(String snapshotName, String path, long offset, int length) throws IOException {
        SnapshotRecord snap = store.snapshot(snapshotName);
        SnapshotEntry e = store.snapshotEntries(snap.id(), path).stream().filter(x -> x.path().equals(path)).findFirst()
                .orElseThrow(() -> new NoSuchFileException(path, null, "not in snapshot " + snap.name()));
        if (e.type() == FileType.DIRECTORY) throw SemfsException.isDirectory(path);
        long available = Math.max(0, e.size() - offset);
        int want = (int) Math.min(length < 0 ? Math.min(available, MAX_READ) : Math.min(length, MAX_READ), available);
        byte[] data = new byte[want];
        int pos = 0;
        while (pos < want) {
            int r = store.readVersion(e.ino(), e.version(), offset + pos, data, pos, want - pos);
            if (r <= 0) break;
            pos += r;
        }
        return new Content(path, data, offset, e.size(), e.version());
    }

    private static SnapshotInfo snapshotInfo(SnapshotRecord s) {
        return new SnapshotInfo(s.id(), s.name(), s.time(), s.entries(), s.agent());
    }

    // ==========================================================================================
    // workspace
    // ==========================================================================================

    private StatusInfo status(boolean check) throws IOException {
        StoreStats s = store.stats();
        List<String> problems = null;
        if (check) {
            CheckReport r = store.check();
            problems = r.problems();
        }
        return new StatusInfo(storeDir.toString(), s.files(), s.directories(), s.symlinks(), s.versions(), s.chunks(),
                s.chunkBytes(), s.diskBytes(), s.snapshots(), s.lastChangeSeq(),
                index == null ? -1 : index.lag(), index == null ? "none" : index.model(), problems,
                index == null ? -1 : index.rebuildDone(), index == null ? 0 : index.rebuildTotal());
    }

    private GcInfo gc(String retention) throws IOException {
        String r = retention == null ? "all" : retention;
        RetentionPolicy policy;
        try {
            policy = RetentionPolicy.parse(r);
        } catch (IllegalArgumentException e) {
            throw SemfsException.invalid(r, e.getMessage());
        }
        GcReport g = store.gc(policy);
        return new GcInfo(r, g.versionsDropped(), g.chunksDeleted(), g.bytesReclaimed(), g.durationNanos() / 1_000_000);
    }

    private ChangeList changes(long afterSeq, int max, String prefix) throws IOException {
        int limit = max <= 0 ? 100 : Math.min(max, 10_000);
        List<ChangeList.ChangeEntry> out = new ArrayList<>();
        long next = afterSeq;
        while (out.size() < limit) {
            List<ChangeRecord> page = store.changes(next, 1000);
            if (page.isEmpty()) break;
            for (ChangeRecord c : page) {
                next = c.seq();
                boolean match = c.path() != null && WorkspacePaths.isUnder(c.path(), prefix)
                        || c.toPath() != null && c.toPath().startsWith("/") && WorkspacePaths.isUnder(c.toPath(), prefix)
                        || prefix.equals("/");
                if (match) {
                    out.add(new ChangeList.ChangeEntry(c.seq(), c.time(), c.op(), c.path(), c.toPath(), c.version(),
                            c.agent(), c.via(), c.reason()));
                    if (out.size() >= limit) break;
                }
            }
        }
        return new ChangeList(out, next);
    }

    /** The store behind this workspace, for modules wired in this process (the index feeder). */
    public WorkspaceStore store() {
        return store;
    }

    @Override
    public void close() throws IOException {
        lifecycle.writeLock().lock();
        try {
            if (closed) return;
            closed = true;
            closeHandlesAndStore();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private void closeHandlesAndStore() throws IOException {
        if (index != null) index.close();
        for (Long id : List.copyOf(handles.keySet())) {
            try {
                release(id);
            } catch (IOException ignored) {
                // closing anyway; the store flushes below
            }
        }
        store.close();
    }
}
