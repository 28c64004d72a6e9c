package dev.semfs.fuse.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.Content;
import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.FsStats;
import dev.semfs.syscalls.Handle;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Written;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the mount does, independent of the FUSE binding: each method is one POSIX callback,
 * turned into (usually) one core call. Paths under {@code /.semfs} go to the {@link ControlTree}
 * and are read-only (EROFS); everything else goes to the {@link Workspace} as the caller the
 * binding built from the FUSE context. No storage logic here: open handles, unlink-while-open,
 * versions on release and permission checks by agent are the core's.
 *
 * <p>Unlink of an open file: libfuse's high-level API resolves every request by path, and a
 * plain unlink would make fstat(2) on a still-open descriptor fail (the kernel sends that
 * getattr without the handle). So the mount does not use {@code hard_remove}: libfuse renames
 * an open file to {@code .fuse_hiddenXXXXXXXXXXXXXXXX} instead of unlinking it, and this class
 * turns that rename into the real unlink in the core, answers getattr of the hidden name from an
 * open handle of the inode ({@link Op.HandleStat}), and takes libfuse's final unlink of the
 * hidden name (after the last release) as a no-op. The hidden name never reaches the core, its
 * listings, versions or index.
 *
 * <p>libfuse hides an open file for two different calls: the program's unlink(2) of it, and its
 * rename(2) of another file over it (hide the target, then rename onto the free name, in one
 * request). For the rename the core should see one atomic move over the target (one audit
 * entry, the target's history continued by the new file), not a remove and then a move. The
 * caller's blocked system call ({@link CallerSyscall}) tells the two apart: for a rename the
 * removal waits for the rename that follows on the same thread and becomes part of it; for an
 * unlink, or when the system call cannot be read, the file is removed at once.
 *
 * <p>Methods throw what the core throws (or {@link SemfsException} for the mount's own refusals);
 * the binding passes every failure through {@link ErrnoMapper}. File handles are the
 * {@link OpenFiles} encoding. Open flags are Linux open(2) flags.
 *
 * <p>Thread-safe: the binding may call from any number of threads at once.
 */
final class MountOperations {
    private static final Logger LOG = LoggerFactory.getLogger(MountOperations.class);

    // Linux open(2) flags: kernel ABI, the same under every binding.
    static final int O_ACCMODE = 03;
    static final int O_RDONLY = 0;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_TRUNC = 01000;
    static final int O_APPEND = 02000;

    static final String VIA = "fuse";

    private final Workspace workspace;
    private final String agent;
    private final ControlTree control;
    private final OpenFiles files = new OpenFiles();
    /**
     * libfuse's hidden names of files unlinked while open, to the inode they stand for. Keyed by
     * the name alone (libfuse makes each unique per mount from the node id and a counter), so a
     * rename of the directory holding one does not lose it.
     */
    private final Map<String, Long> hidden = new ConcurrentHashMap<>();
    /**
     * A target libfuse hid a moment ago on this thread: when it hides the open target of a
     * rename, the rename follows at once on the same thread.
     */
    /** A link libfuse just hid, and the number of the request that hid it. */
    private record JustHidden(long ino, long thread, long request) {}

    /**
     * Requests served so far by the calling thread: libfuse's hide-then-rename are two
     * consecutive requests on one thread (with several serving threads, others come between).
     */
    private final ThreadLocal<long[]> requests = ThreadLocal.withInitial(() -> new long[1]);

    private long requestNumber() {
        return requests.get()[0];
    }

    /**
     * An open rename target libfuse hid for a rename(2) over it, not yet removed in the core: the
     * rename itself is the next request on the same thread. Keyed by thread.
     */
    private record PendingHide(Caller caller, String path, long ino, long request) {}

    private final Map<Long, PendingHide> pendingHides = new ConcurrentHashMap<>();

    /**
     * Called by the binding before every request, with the callback's name. A hide still pending
     * on this thread is carried out first unless the request is the rename it waits for.
     */
    void onRequest(String callback) {
        long request = ++requests.get()[0];
        if (!pendingHides.isEmpty() && !"rename".equals(callback)) removeHidden(pendingHides.remove(Thread.currentThread().threadId()));
        if (!justHidden.isEmpty()) {
            // Only the request right after a hide can be its rename: older ones are done with.
            long thread = Thread.currentThread().threadId();
            justHidden.values().removeIf(h -> h.thread == thread && h.request < request - 1);
        }
    }

    /** Carries out a hide whose rename did not follow: the target is unlinked, as libfuse believes. */
    private void removeHidden(PendingHide p) {
        if (p == null) return;
        try {
            workspace.call(p.caller, new Op.Remove(p.path, false));
        } catch (IOException | RuntimeException e) {
            LOG.warn("removing {} after libfuse hid it failed: {}", p.path, e.toString());
        }
    }

    private final Map<String, JustHidden> justHidden = new ConcurrentHashMap<>();
    private static final Pattern HIDDEN = Pattern.compile(".*/\\.fuse_hidden[0-9a-f]{16}");

    /** libfuse's name for an unlinked open file; asked per getattr and listed entry, so the regex only when it may match. */
    private static boolean isHidden(String path) {
        return path.contains("/.fuse_hidden") && HIDDEN.matcher(path).matches();
    }

    private final boolean pageCache;

    /**
     * The names this mount has served for files with several links, by inode, and back. libfuse
     * gives each name its own kernel node, so a change through one name leaves the others'
     * cached attributes (nlink, size, times) behind; {@link #otherLinks} tells the binding which
     * to invalidate. A name that went away stays listed: invalidating it does nothing.
     */
    private final Map<Long, java.util.Set<String>> linkNames = new ConcurrentHashMap<>();
    private final Map<String, Long> linkInos = new ConcurrentHashMap<>();

    private FileInfo seen(FileInfo f) {
        if (f.nlink() > 1 && f.path() != null && !f.isDirectory()) track(f.ino(), f.path());
        return f;
    }

    private synchronized void track(long ino, String path) {
        Long before = linkInos.get(path);
        if (before != null && before != ino) forget(path); // the name was reused for another file
        linkNames.computeIfAbsent(ino, k -> ConcurrentHashMap.newKeySet()).add(path);
        linkInos.put(path, ino);
    }

    /**
     * Every name seen for the file at {@code path} when it has several links (itself included);
     * else none. For a change through an open handle the file is the handle's inode, not what
     * the path it was opened by names now (that name may have been unlinked and reused), and
     * the writing node itself is left out when its writes go through its pages: the kernel
     * updated those, and holds them locked until the write is answered.
     */
    List<String> otherLinks(String path) {
        if (linkInos.isEmpty()) return List.of();
        HandleChange h = HANDLE_CHANGE.get();
        Long ino = h != null ? Long.valueOf(h.ino) : linkInos.get(path);
        if (ino == null) return List.of();
        java.util.Set<String> names = linkNames.get(ino);
        if (names == null) return List.of();
        List<String> out = new ArrayList<>(names);
        if (h != null && h.buffered && h.nodePath != null) out.remove(h.nodePath);
        return out;
    }

    /** The handle change this thread is making: its inode, the writing node's name, its caching. */
    private record HandleChange(long ino, String nodePath, boolean buffered) {}

    private static final ThreadLocal<HandleChange> HANDLE_CHANGE = new ThreadLocal<>();

    private <T> T handleChange(long fh, String nodePath, IOCall<T> call) throws IOException {
        HANDLE_CHANGE.set(new HandleChange(files.inoOf(fh), nodePath, files.isBuffered(fh)));
        try {
            return call.run();
        } finally {
            HANDLE_CHANGE.remove();
        }
    }

    @FunctionalInterface
    private interface IOCall<T> {
        T run() throws IOException;
    }

    MountOperations(Workspace workspace, String agent, ControlTree control, boolean pageCache) {
        this.workspace = workspace;
        this.agent = agent;
        this.control = control;
        this.pageCache = pageCache;
    }

    /** The caller for a request from process credentials {@code uid}/{@code gid}. */
    Caller caller(int uid, int gid) {
        return new Caller(agent, uid, gid, VIA);
    }

    OpenFiles openFiles() {
        return files;
    }

    // --- attributes and names ---------------------------------------------------------------

    FileInfo getattr(Caller c, String path) throws IOException {
        if (ControlTree.owns(path)) return control.stat(c, path);
        Long ino = hidden.isEmpty() ? null : hidden.get(hiddenKey(path));
        if (ino != null) {
            long fh = files.anyCoreHandleOf(ino);
            if (fh < 0) throw new NoSuchFileException(path);
            return workspace.call(c, new Op.HandleStat(fh));
        }
        return seen(workspace.call(c, new Op.Stat(path, false)));
    }

    /**
     * Whether the kernel may keep these attributes for a while: only if nothing this mount does
     * can change them under another kernel node. libfuse gives every name of a file its own
     * node, and an unlinked open file a hidden name the kernel never saw, so a file with several
     * links, a hidden name (or none) and the virtual tree are asked every time; changes by other
     * routes are invalidated by {@link KernelCache}.
     */
    boolean attrsCacheable(String path, FileInfo f) {
        if (path == null || ControlTree.owns(path) || isHidden(path)) return false;
        return f.isDirectory() || f.nlink() == 1;
    }

    /** Whether {@code path} exists (for RENAME_NOREPLACE). */
    boolean exists(Caller c, String path) throws IOException {
        try {
            getattr(c, path);
            return true;
        } catch (IOException e) {
            if (ErrorCode.of(e) == ErrorCode.NOT_FOUND) return false;
            throw e;
        }
    }

    /** Attributes through an open handle: works after the path was unlinked or renamed. */
    FileInfo fgetattr(Caller c, String path, long fh) throws IOException {
        if (OpenFiles.isVirtual(fh) || fh == 0) return getattr(c, path);
        return workspace.call(c, new Op.HandleStat(fh));
    }

    /** Entries of a directory; {@code /.semfs} is left out of the root listing but still reachable. */
    List<FileInfo> readdir(Caller c, String path) throws IOException {
        if (ControlTree.owns(path)) return control.list(c, path);
        List<FileInfo> entries = workspace.call(c, new Op.ListDir(path)).entries();
        for (FileInfo e : entries) seen(e);
        if (!"/".equals(path)) return entries;
        List<FileInfo> out = new ArrayList<>(entries.size());
        for (FileInfo e : entries) if (!ControlTree.NAME.equals(e.name())) out.add(e);
        return out;
    }

    String readlink(Caller c, String path) throws IOException {
        if (ControlTree.owns(path)) return control.readlink(c, path);
        return workspace.call(c, new Op.ReadLink(path)).target();
    }

    void mkdir(Caller c, String path, int mode) throws IOException {
        refuseControl(path, true);
        workspace.call(c, new Op.Mkdir(path, false, mode & 07777));
    }

    void unlink(Caller c, String path) throws IOException {
        refuseControl(path, false);
        boolean alreadyRemoved = !hidden.isEmpty() && hidden.remove(hiddenKey(path)) != null; // in the core when hidden
        if (!alreadyRemoved) workspace.call(c, new Op.Remove(path, false));
        if (!linkInos.isEmpty()) forget(path); // gone (not when refused): nothing of it to invalidate
    }

    /** How many names of multi-link files are remembered (for tests). */
    int trackedNames() {
        return linkInos.size();
    }

    /** A name that is gone: nothing of it left to invalidate (and the tables stay as large as the live names). */
    private synchronized void forget(String path) {
        Long ino = linkInos.remove(path);
        if (ino == null) return;
        java.util.Set<String> names = linkNames.get(ino);
        if (names != null) {
            names.remove(path);
            if (names.isEmpty()) linkNames.remove(ino, names);
        }
    }

    void rmdir(Caller c, String path) throws IOException {
        refuseControl(path, false);
        workspace.call(c, new Op.Remove(path, false));
    }

    /**
     * The rename this thread's pending hide waited for was refused (EEXIST for RENAME_NOREPLACE,
     * EINVAL for other flags): rename(2) failed, so its target stays, in the core as in the
     * kernel; the hide is dropped, not carried out.
     */
    void renameRefused() {
        if (!pendingHides.isEmpty()) pendingHides.remove(Thread.currentThread().threadId());
    }

    /** {@code tid}: the calling thread's id from the FUSE request, or 0 when not known. */
    void rename(Caller c, String from, String to, int tid) throws IOException {
        long thread = Thread.currentThread().threadId();
        PendingHide pending = pendingHides.isEmpty() ? null : pendingHides.remove(thread);
        if (pending != null && (pending.request != requestNumber() - 1 || !pending.path.equals(to))) {
            removeHidden(pending);
            pending = null;
        }
        refuseControl(from, false);
        refuseControl(to, false);
        if (pending != null) {
            // The rename(2) libfuse hid the open target for: one move over it in the core, or
            // nothing at all when both names are links of one file (rename(2) then does nothing).
            if (workspace.call(c, new Op.Stat(from, false)).ino() != pending.ino) workspace.call(c, new Op.Move(from, to));
            return;
        }
        if (isHidden(to) && !hidden.containsKey(hiddenKey(from))) {
            long ino;
            try {
                ino = workspace.call(c, new Op.Stat(from, false)).ino();
            } catch (IOException e) {
                if (ErrorCode.of(e) != ErrorCode.NOT_FOUND) throw e;
                // Open here but deleted by another front end: nothing is left to hide in the
                // core, and failing the hide would fail the rename(2) libfuse hid it for.
                hidden.put(hiddenKey(to), -1L);
                if (!linkInos.isEmpty()) forget(from);
                return;
            }
            if (files.anyCoreHandleOf(ino) >= 0) {
                if (CallerSyscall.isRename(tid)) {
                    pendingHides.put(thread, new PendingHide(c, from, ino, requestNumber()));
                } else {
                    workspace.call(c, new Op.Remove(from, false));
                    justHidden.put(from, new JustHidden(ino, thread, requestNumber()));
                }
                hidden.put(hiddenKey(to), ino);
                if (!linkInos.isEmpty()) movedNames(from, to); // its pages are reached by the hidden name now
                return;
            }
            // libfuse believes the file open but no handle of ours is (released at unmount, or
            // opened on a file another route has since replaced there): an unlink all the same;
            // a hidden name never reaches the core.
            workspace.call(c, new Op.Remove(from, false));
            hidden.put(hiddenKey(to), ino);
            if (!linkInos.isEmpty()) forget(from);
            return;
        }
        JustHidden h = justHidden.isEmpty() ? null : justHidden.remove(to);
        // Only the request right after the hide belongs to the same rename: a hide done for an
        // unlink of an open file is followed by the program's own next call, not by this.
        if (h != null && h.thread == thread && h.request == requestNumber() - 1
                && workspace.call(c, new Op.Stat(from, false)).ino() == h.ino) {
            // libfuse hid an open target just before renaming another link of the same file over
            // it; rename(2) of two links to one file does nothing, so put the hidden link back.
            workspace.call(c, new Op.Link(from, to));
            return;
        }
        if (!hidden.isEmpty() && (hidden.containsKey(hiddenKey(from)) || hidden.containsKey(hiddenKey(to)))) {
            throw new NoSuchFileException(from); // a hidden file exists only for its open handles
        }
        workspace.call(c, new Op.Move(from, to));
        if (!linkInos.isEmpty()) movedNames(from, to);
    }

    /** The kernel nodes moved with their names (a file's, or all under a directory's): they stay names to invalidate. */
    private synchronized void movedNames(String from, String to) {
        Long ino = linkInos.get(from);
        if (ino != null) {
            forget(from);
            track(ino, to);
        } else {
            forget(to);
        }
        String prefix = from + "/";
        for (Map.Entry<String, Long> e : List.copyOf(linkInos.entrySet())) {
            if (e.getKey().startsWith(prefix)) {
                forget(e.getKey());
                track(e.getValue(), to + e.getKey().substring(from.length()));
            }
        }
    }

    void symlink(Caller c, String target, String path) throws IOException {
        refuseControl(path, true);
        workspace.call(c, new Op.Symlink(path, target));
    }

    void link(Caller c, String existing, String path) throws IOException {
        refuseControl(existing, false);
        refuseControl(path, true);
        // Known as a multi-link name before the core call, whose change report asks for it.
        FileInfo target = workspace.call(c, new Op.Stat(existing, false));
        if (!target.isDirectory()) track(target.ino(), existing);
        seen(workspace.call(c, new Op.Link(existing, path)));
    }

    // FUSE setattr always means the node itself: the kernel follows symlinks before chmod, and
    // lchown/lutimes (tar and cp -a restoring a link) mean the link. Hence follow=false.

    void chmod(Caller c, String path, int mode) throws IOException {
        refuseControl(path, false);
        workspace.call(c, new Op.SetAttr(path, mode & 07777, null, null, null, null, false));
    }

    /** {@code uid}/{@code gid} of -1 leave the field unchanged, as chown(2) specifies. */
    void chown(Caller c, String path, int uid, int gid) throws IOException {
        refuseControl(path, false);
        workspace.call(c, new Op.SetAttr(path, null, uid == -1 ? null : uid, gid == -1 ? null : gid, null, null, false));
    }

    /**
     * Clears the set-user-ID bit, and the set-group-ID bit of a group-executable file, for a
     * change that must (under FUSE_HANDLE_KILLPRIV_V2: a write, truncate or O_TRUNC open by a
     * process without CAP_FSETID, or a chown), as a local file system does; unless
     * {@code callerKeeps}, asked only when the file has such bits. {@code fh} (0: none) or else
     * {@code path} names the file; the mode is changed by path, so a file without a name the
     * core knows keeps its bits. Returns whether the mode changed, which the kernel, having sent
     * no mode, does not know.
     */
    boolean dropSetIds(Caller c, String path, long fh, java.util.function.BooleanSupplier callerKeeps) throws IOException {
        if (OpenFiles.isVirtual(fh) || path == null || ControlTree.owns(path)) return false;
        FileInfo f = fh != 0 ? workspace.call(c, new Op.HandleStat(fh)) : workspace.call(c, new Op.Stat(path, false));
        if (!f.isFile()) return false;
        int mode = f.mode() & 07777;
        int kept = withoutSetIds(mode);
        if (kept == mode || callerKeeps.getAsBoolean()) return false;
        workspace.call(c, new Op.SetAttr(path, kept, null, null, null, null, false));
        return true;
    }

    /** The mode without the set-ID bits a write by someone else clears (set-group-ID only with group execute). */
    private static int withoutSetIds(int mode) {
        int m = mode & ~04000;
        if ((mode & 02010) == 02010) m &= ~02000;
        return m;
    }

    /** Times in nanoseconds since the epoch; null leaves one unchanged. */
    void utimens(Caller c, String path, Long atime, Long mtime) throws IOException {
        refuseControl(path, false);
        if (atime == null && mtime == null) return;
        workspace.call(c, new Op.SetAttr(path, null, null, null, atime, mtime, false));
    }

    void truncate(Caller c, String path, long size) throws IOException {
        refuseControl(path, false);
        workspace.call(c, new Op.Truncate(path, size));
    }

    FsStats statfs(Caller c) throws IOException {
        return workspace.call(c, new Op.StatFs());
    }

    // --- open files -------------------------------------------------------------------------

    /**
     * An open file: its handle, whether the kernel must bypass its page cache for it (direct
     * I/O), and whether it may keep the pages it cached before this open (keep_cache). Without
     * the page-cache option, always direct. With it, still for a file with several links
     * (libfuse's path-based API gives every hard link its own kernel node, so writes through one
     * name would not reach pages cached under another) and for O_APPEND, see {@link #write}.
     *
     * <p>Appends: the kernel places them at the size it has cached, which is stale once the file
     * changed through another link or another front end, so {@link #write} appends at the core's
     * end of file instead, and no page cache may hold the bytes at the kernel's offset.
     */
    record Opened(long fh, boolean directIo, boolean keepCache, boolean noFlush) {}

    Opened create(Caller c, String path, int flags, int mode) throws IOException {
        refuseControl(path, true);
        Handle h = workspace.call(c, new Op.Open(path, true, true, (flags & O_EXCL) != 0, (flags & O_TRUNC) != 0, mode & 07777));
        return opened(h, flags);
    }

    Opened open(Caller c, String path, int flags) throws IOException {
        boolean write = (flags & O_ACCMODE) != O_RDONLY;
        if (ControlTree.owns(path)) {
            if (write || (flags & O_TRUNC) != 0) throw ControlTree.readOnly(path);
            return new Opened(files.addVirtual(control.open(c, path)), false, false, true);
        }
        Handle h = workspace.call(c, new Op.Open(path, write, (flags & O_CREAT) != 0, (flags & O_EXCL) != 0,
                (flags & O_TRUNC) != 0, 0));
        return opened(h, flags);
    }

    private Opened opened(Handle h, int flags) {
        boolean append = (flags & O_APPEND) != 0;
        long fh = files.addCore(h.id(), h.file().ino());
        if (append) files.markAppend(fh);
        seen(h.file());
        boolean direct = !pageCache || append || h.file().nlink() > 1;
        if (!direct) files.markBuffered(fh);
        // Pages cached from an earlier open are still right: every change by another route
        // invalidates them (KernelCache), and this mount's own writes went through them.
        // A descriptor that cannot write has no version to cut at close(2): the kernel need
        // not send FLUSH for it (a round trip per close of every file read).
        return new Opened(fh, direct, !direct, (flags & O_ACCMODE) == O_RDONLY);
    }

    /** Up to {@code length} bytes at {@code offset}; shorter only at the end of the file. */
    byte[] read(Caller c, long fh, long offset, int length) throws IOException {
        if (OpenFiles.isVirtual(fh)) {
            VirtualTree.VirtualFile f = files.virtual(fh);
            if (f == null) throw new SemfsException(ErrorCode.BAD_HANDLE, null, "not open");
            return f.read(offset, length);
        }
        Content content = workspace.call(c, new Op.HandleRead(fh, offset, length));
        return content.data();
    }

    /** {@code nodePath}: libfuse's current name of the node written through (null if none). */
    int write(Caller c, String nodePath, long fh, long offset, byte[] data) throws IOException {
        if (OpenFiles.isVirtual(fh)) throw ControlTree.readOnly(null);
        // The kernel's offset of an O_APPEND write is its own idea of the end; the core's end is
        // taken under the write's lock, so appenders on other links or front ends cannot collide.
        Op<Written> op = files.isAppend(fh) ? new Op.HandleAppend(fh, data) : new Op.HandleWrite(fh, offset, data);
        return handleChange(fh, nodePath, () -> workspace.call(c, op).bytes());
    }

    void ftruncate(Caller c, String path, long fh, long size) throws IOException {
        if (OpenFiles.isVirtual(fh)) throw ControlTree.readOnly(path);
        if (fh == 0) {
            truncate(c, path, size);
            return;
        }
        // Not left out of the invalidation even when buffered: the kernel holds no page of a
        // truncate, and its cached pages past the new end must go.
        handleChange(fh, null, () -> workspace.call(c, new Op.HandleTruncate(fh, size)));
    }

    /**
     * close(2) of one descriptor (FUSE sends flush synchronously, before close returns; release
     * only later and asynchronously): a file written through it gets its version now, so that
     * `semfs log` right after a program's close already shows it. A failure to cut it is
     * close(2)'s error.
     */
    void flush(Caller c, long fh) throws IOException {
        if (OpenFiles.isVirtual(fh)) return;
        workspace.call(c, new Op.HandleClose(fh));
    }

    void fsync(Caller c, long fh) throws IOException {
        if (OpenFiles.isVirtual(fh)) return;
        workspace.call(c, new Op.HandleSync(fh));
    }

    void release(Caller c, long fh) throws IOException {
        if (files.remove(fh)) workspace.call(c, new Op.Release(fh));
    }

    /**
     * Releases every core handle the kernel did not release before the mount went away, so
     * their writes are cut as versions. Called once when the file system is torn down.
     */
    void releaseAll() {
        Caller c = caller(-1, -1);
        for (Long thread : List.copyOf(pendingHides.keySet())) removeHidden(pendingHides.remove(thread));
        hidden.clear();
        for (long fh : files.drainCore()) {
            try {
                workspace.call(c, new Op.Release(fh));
            } catch (IOException | RuntimeException e) {
                LOG.warn("releasing handle {} on unmount failed: {}", fh, e.toString(), e);
            }
        }
    }

    // --- extended attributes ----------------------------------------------------------------

    /**
     * An attribute the workspace does not support, so {@link #setxattr} refuses it and the binding
     * answers EOPNOTSUPP to a get without a core call, as a file system mounted without ACL or
     * label support does: the kernel asks for security.capability before a write(2), and
     * {@code ls -l} for security.selinux and system.posix_acl_access.
     */
    static boolean neverStored(String name) {
        return name.startsWith("system.") || name.equals("security.capability") || name.equals("security.selinux");
    }

    byte[] getxattr(Caller c, String path, String name) throws IOException {
        if (ControlTree.owns(path)) throw new SemfsException(ErrorCode.NO_ATTRIBUTE, path, name);
        return workspace.call(c, new Op.GetXattr(path, name)).value();
    }

    List<String> listxattr(Caller c, String path) throws IOException {
        if (ControlTree.owns(path)) return List.of();
        return workspace.call(c, new Op.ListXattrs(path)).names();
    }

    /** {@code mode}: 0 create or replace, 1 create only (XATTR_CREATE), 2 replace only (XATTR_REPLACE). */
    void setxattr(Caller c, String path, String name, byte[] value, int mode) throws IOException {
        refuseControl(path, false);
        // POSIX ACLs arrive as system.posix_acl_* xattrs. Storing them as plain
        // attributes would make cp -a / tar believe permissions were set while the mode stays
        // as created; refusing makes them fall back to chmod.
        // File capabilities do nothing on a nosuid FUSE mount, and an SELinux label would not be
        // enforced; refusing them lets the kernel's per-write capability check skip the core.
        if (neverStored(name)) throw new ErrnoMapper.NotSupported(name);
        workspace.call(c, new Op.SetXattr(path, name, value, mode));
    }

    void removexattr(Caller c, String path, String name) throws IOException {
        refuseControl(path, false);
        workspace.call(c, new Op.RemoveXattr(path, name));
    }

    private static String hiddenKey(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** With {@code creates}, {@code /.semfs} itself exists (EEXIST); anything below it is read-only. */
    private static void refuseControl(String path, boolean creates) throws IOException {
        if (!ControlTree.owns(path)) return;
        if (creates && path.equals(ControlTree.ROOT)) throw new FileAlreadyExistsException(path);
        throw ControlTree.readOnly(path);
    }
}
