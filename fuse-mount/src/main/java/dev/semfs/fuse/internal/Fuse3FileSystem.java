package dev.semfs.fuse.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.semfs.fuse.MountedWorkspace;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.FsStats;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The libfuse 3 binding (high-level API through FFM), and with {@link LibFuse3} the only code
 * that knows it: each {@code struct fuse_operations} callback is an upcall into a method here
 * with the C signature, which copies between libfuse structs and plain Java values and calls
 * {@link MountOperations}. Each callback is {@code guard(name, path, () -> ...)}: the one place
 * failures become errnos (through {@link ErrnoMapper}); nothing may escape an upcall, which
 * would end the JVM. Callbacks not registered in {@link #operations} stay NULL, and libfuse
 * answers ENOSYS (mknod, lock, flock, fallocate, ioctl, poll, bmap, copy_file_range, lseek).
 *
 * <p>Even without nullpath_ok, libfuse passes a NULL path for an operation on a handle whose node
 * it can no longer name (an open file whose directory was removed): reads, writes and fstat
 * work from the handle alone, path operations on it get ENOENT.
 */
final class Fuse3FileSystem {
    private static final int XATTR_CREATE = 1;
    private static final int XATTR_REPLACE = 2;
    private static final int RENAME_NOREPLACE = 1;
    private static final int FUSE_READDIR_PLUS = 1;
    private static final int FUSE_FILL_DIR_PLUS = 2;
    private static final int BLOCK = 4096;
    private static final boolean TRACE = System.getenv("SEMFS_FUSE_TRACE") != null;

    private final MountOperations ops;
    private final Clock clock;
    private final CachePolicy cache;

    Fuse3FileSystem(MountOperations ops, Clock clock, CachePolicy cache) {
        this.ops = ops;
        this.clock = clock;
        this.cache = cache;
    }

    /**
     * Kernel cache settings for the mount; see fuse-mount/README.md, "Cache consistency".
     * {@code attrTimeout} applies per node, to the nodes {@link MountOperations#attrsCacheable}
     * allows; the others get 0.
     */
    record CachePolicy(double entryTimeout, double attrTimeout) {}

    /** libfuse's {@code struct fuse_config}, which lives as long as the session; set in init. */
    private volatile MemorySegment config;

    /**
     * Sets the attribute timeout libfuse sends with the reply it builds after this callback
     * (getattr, lookup, create, setattr, and each readdirplus entry all read it from the config
     * after calling into us, on this thread).
     */
    private void attrTimeout(String path, FileInfo info) {
        MemorySegment cfg = config;
        if (cfg == null || cache.attrTimeout() == 0.0) return;
        cfg.set(JAVA_DOUBLE, LibFuse3.CFG_ATTR_TIMEOUT, ops.attrsCacheable(path, info) ? cache.attrTimeout() : 0.0);
    }

    // --- registration -----------------------------------------------------------------------

    private static final MemorySegment NULL = MemorySegment.NULL;

    /**
     * A {@code struct fuse_operations} whose registered slots are upcalls into this object; the
     * stubs live as long as {@code arena}, which must outlive the libfuse session.
     */
    MemorySegment operations(Arena arena) {
        MemorySegment s = arena.allocate(LibFuse3.OPS_SIZE);
        reg(s, arena, LibFuse3.OP_GETATTR, "getattr", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        reg(s, arena, LibFuse3.OP_READLINK, "readlink", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
        reg(s, arena, LibFuse3.OP_MKDIR, "mkdir", JAVA_INT, ADDRESS, JAVA_INT);
        reg(s, arena, LibFuse3.OP_UNLINK, "unlink", JAVA_INT, ADDRESS);
        reg(s, arena, LibFuse3.OP_RMDIR, "rmdir", JAVA_INT, ADDRESS);
        reg(s, arena, LibFuse3.OP_SYMLINK, "symlink", JAVA_INT, ADDRESS, ADDRESS);
        reg(s, arena, LibFuse3.OP_RENAME, "rename", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
        reg(s, arena, LibFuse3.OP_LINK, "link", JAVA_INT, ADDRESS, ADDRESS);
        reg(s, arena, LibFuse3.OP_CHMOD, "chmod", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
        reg(s, arena, LibFuse3.OP_CHOWN, "chown", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
        reg(s, arena, LibFuse3.OP_TRUNCATE, "truncate", JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS);
        reg(s, arena, LibFuse3.OP_OPEN, "open", JAVA_INT, ADDRESS, ADDRESS);
        reg(s, arena, LibFuse3.OP_READ, "read", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
        reg(s, arena, LibFuse3.OP_WRITE, "write", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
        reg(s, arena, LibFuse3.OP_STATFS, "statfs", JAVA_INT, ADDRESS, ADDRESS);
        reg(s, arena, LibFuse3.OP_FLUSH, "flush", JAVA_INT, ADDRESS, ADDRESS);
        reg(s, arena, LibFuse3.OP_RELEASE, "release", JAVA_INT, ADDRESS, ADDRESS);
        reg(s, arena, LibFuse3.OP_FSYNC, "fsync", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
        reg(s, arena, LibFuse3.OP_SETXATTR, "setxattr", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);
        reg(s, arena, LibFuse3.OP_GETXATTR, "getxattr", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
        reg(s, arena, LibFuse3.OP_LISTXATTR, "listxattr", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
        reg(s, arena, LibFuse3.OP_REMOVEXATTR, "removexattr", JAVA_INT, ADDRESS, ADDRESS);
        reg(s, arena, LibFuse3.OP_OPENDIR, "opendir", JAVA_INT, ADDRESS, ADDRESS);
        reg(s, arena, LibFuse3.OP_READDIR, "readdir", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT);
        reg(s, arena, LibFuse3.OP_RELEASEDIR, "releasedir", JAVA_INT, ADDRESS, ADDRESS);
        reg(s, arena, LibFuse3.OP_FSYNCDIR, "fsyncdir", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
        reg(s, arena, LibFuse3.OP_INIT, "init", ADDRESS, ADDRESS, ADDRESS);
        reg(s, arena, LibFuse3.OP_DESTROY, "destroy", null, ADDRESS);
        reg(s, arena, LibFuse3.OP_ACCESS, "access", JAVA_INT, ADDRESS, JAVA_INT);
        reg(s, arena, LibFuse3.OP_CREATE, "create", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
        reg(s, arena, LibFuse3.OP_UTIMENS, "utimens", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        return s;
    }

    private void reg(MemorySegment struct, Arena arena, long slot, String method, java.lang.foreign.MemoryLayout ret,
                     java.lang.foreign.MemoryLayout... args) {
        FunctionDescriptor fd = ret == null ? FunctionDescriptor.ofVoid(args) : FunctionDescriptor.of(ret, args);
        try {
            MethodType type = fd.toMethodType();
            MethodHandle target = MethodHandles.lookup().findVirtual(Fuse3FileSystem.class, method, type).bindTo(this);
            struct.set(ADDRESS, slot * 8, LibFuse3.LINKER.upcallStub(lastResort(target, method), fd, arena));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no callback " + method + type(fd), e);
        }
    }

    /**
     * An exception escaping an upcall ends the JVM (FFM's rule). Each callback catches its own
     * failures, but an Error can come from outside them (decoding a path, the counters, the
     * logger in init): it becomes EIO (NULL from init, nothing from destroy) instead.
     */
    static MethodHandle lastResort(MethodHandle target, String method) throws ReflectiveOperationException {
        MethodType t = target.type();
        MethodHandle handler = MethodHandles.lookup().findStatic(Fuse3FileSystem.class, "escaped",
                MethodType.methodType(void.class, String.class, Throwable.class)).bindTo(method);
        Class<?> ret = t.returnType();
        if (ret != void.class) {
            Object value = ret == int.class ? -Errno.EIO : ret == long.class ? -1L : ret == MemorySegment.class ? MemorySegment.NULL : null;
            handler = MethodHandles.filterReturnValue(handler, MethodHandles.constant(ret, value));
        }
        handler = MethodHandles.dropArguments(handler, 1, t.parameterList());
        return MethodHandles.catchException(target, Throwable.class, handler);
    }

    private static void escaped(String method, Throwable t) {
        try {
            System.err.println("semfs: the " + method + " callback failed: " + t);
        } catch (Throwable ignored) {
            // nothing more can be done here; the request gets EIO
        }
    }

    private static String type(FunctionDescriptor fd) {
        return fd.toMethodType().toString();
    }

    @FunctionalInterface
    private interface Call {
        int run() throws Exception;
    }

    /** The mount whose callback runs on this thread, if any: its own changes need no invalidation. */
    private static final ThreadLocal<Fuse3FileSystem> SERVING = new ThreadLocal<>();

    boolean servingOnThisThread() {
        return SERVING.get() == this;
    }

    /** Whether this thread serves a request of any mount. */
    static boolean onLoopThread() {
        return SERVING.get() != null;
    }

    /** Requests served, by callback: a count and the nanoseconds spent in them. */
    private final Map<String, LongAdder[]> served = new ConcurrentHashMap<>();

    private void served(String callback, long nanos) {
        LongAdder[] c = served.get(callback);
        if (c == null) c = served.computeIfAbsent(callback, k -> new LongAdder[] {
                new LongAdder(), new LongAdder()});
        c[0].increment();
        c[1].add(nanos);
    }

    Map<String, MountedWorkspace.Served> served() {
        Map<String, MountedWorkspace.Served> out = new TreeMap<>();
        served.forEach((k, v) -> out.put(k, new MountedWorkspace.Served(v[0].sum(), v[1].sum())));
        return out;
    }

    private int guard(String callback, String path, Call call) {
        if (TRACE) System.err.println(callback + " " + path);
        SERVING.set(this);
        long start = System.nanoTime();
        try {
            ops.onRequest(callback);
            return call.run();
        } catch (Throwable t) {
            try {
                return -ErrnoMapper.errno(callback, path, t);
            } catch (Throwable t2) {
                return -Errno.EIO;
            }
        } finally {
            SERVING.remove();
            served(callback, System.nanoTime() - start);
        }
    }

    private Caller caller() {
        long ids = LibFuse3.callerIds();
        return ops.caller((int) (ids >> 32), (int) ids);
    }

    /** A C string argument; null for a NULL pointer (a node libfuse cannot name). */
    private static String str(MemorySegment p) {
        return p.address() == 0 ? null : p.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** A path the operation cannot do without. */
    private static String need(String path) throws java.nio.file.NoSuchFileException {
        if (path == null) throw new java.nio.file.NoSuchFileException("(a removed directory)");
        return path;
    }

    private static long fh(MemorySegment fi) {
        return fi.reinterpret(LibFuse3.FI_SIZE).get(JAVA_LONG, LibFuse3.FI_FH);
    }

    private static int flags(MemorySegment fi) {
        return fi.reinterpret(LibFuse3.FI_SIZE).get(JAVA_INT, 0);
    }

    // --- lifecycle --------------------------------------------------------------------------

    /**
     * Sets what libfuse 3 takes from {@code fuse_config} rather than from -o options: use_ino,
     * no nullpath_ok (fchmod, fchown and futimens arrive as setattr with a handle, and the core
     * changes attributes by path), no hard_remove (see {@link MountOperations}), the cache timeouts; and asks the kernel for
     * atomic O_TRUNC and readdirplus.
     */
    MemorySegment init(MemorySegment connPtr, MemorySegment cfgPtr) {
        try {
            MemorySegment cfg = cfgPtr.reinterpret(LibFuse3.CFG_SIZE);
            cfg.set(JAVA_INT, LibFuse3.CFG_USE_INO, 1);
            cfg.set(JAVA_INT, LibFuse3.CFG_READDIR_INO, 0);
            cfg.set(JAVA_INT, LibFuse3.CFG_NULLPATH_OK, 0);
            cfg.set(JAVA_INT, LibFuse3.CFG_HARD_REMOVE, 0);
            cfg.set(JAVA_INT, LibFuse3.CFG_DIRECT_IO, 0);
            cfg.set(JAVA_INT, LibFuse3.CFG_KERNEL_CACHE, 0);
            cfg.set(JAVA_INT, LibFuse3.CFG_AUTO_CACHE, 0);
            cfg.set(JAVA_DOUBLE, LibFuse3.CFG_ENTRY_TIMEOUT, cache.entryTimeout());
            cfg.set(JAVA_DOUBLE, LibFuse3.CFG_ATTR_TIMEOUT, 0.0);
            cfg.set(JAVA_DOUBLE, LibFuse3.CFG_NEGATIVE_TIMEOUT, 0.0);
            MemorySegment conn = connPtr.reinterpret(LibFuse3.CONN_SIZE);
            int capable = conn.get(JAVA_INT, LibFuse3.CONN_CAPABLE);
            int want = conn.get(JAVA_INT, LibFuse3.CONN_WANT);
            want |= capable & (LibFuse3.CAP_ATOMIC_O_TRUNC | LibFuse3.CAP_READDIRPLUS | LibFuse3.CAP_READDIRPLUS_AUTO);
            // No ASYNC_READ: with it the kernel reads ahead in the background, holding pages
            // locked until the loop serves those reads, and invalidating a file's pages after a
            // change then waits for requests queued behind the changing one (KernelCache). Read
            // ahead synchronously, a page is locked only while its reader waits.
            want &= ~LibFuse3.CAP_ASYNC_READ;
            // No AUTO_INVAL_DATA: the core's mtime after this mount's own writes never matches
            // what the kernel last saw, so it would drop every page just written. Pages of
            // files changed by another route are invalidated explicitly (KernelCache).
            want &= ~LibFuse3.CAP_AUTO_INVAL_DATA;
            // Writeback caching would let the kernel answer size and mtime itself and hold
            // writes back, which other front ends could not see until a flush.
            want &= ~LibFuse3.CAP_WRITEBACK_CACHE;
            conn.set(JAVA_INT, LibFuse3.CONN_WANT, want);
            conn.set(JAVA_INT, LibFuse3.CONN_MAX_WRITE, 128 * 1024);
            conn.set(JAVA_INT, LibFuse3.CONN_MAX_READAHEAD, 1024 * 1024);
            config = cfg;
        } catch (Throwable t) {
            ErrnoMapper.errno("init", "/", t);
        }
        return NULL;
    }

    void destroy(MemorySegment privateData) {
        // libfuse calls this when the session is torn down: release what the kernel never did.
        try {
            ops.releaseAll();
        } catch (Throwable t) {
            ErrnoMapper.errno("destroy", "/", t);
        }
    }

    // --- attributes -------------------------------------------------------------------------

    int getattr(MemorySegment pathPtr, MemorySegment stat, MemorySegment fi) {
        String path = str(pathPtr);
        return guard("getattr", path, () -> {
            FileInfo info = fi.address() == 0 ? ops.getattr(caller(), path) : ops.fgetattr(caller(), path, fh(fi));
            fill(stat.reinterpret(LibFuse3.STAT_SIZE), info);
            attrTimeout(path, info);
            return 0;
        });
    }

    private static void fill(MemorySegment st, FileInfo fi) {
        int type = switch (fi.type()) {
            case "directory" -> LibFuse3.S_IFDIR;
            case "symlink" -> LibFuse3.S_IFLNK;
            default -> LibFuse3.S_IFREG;
        };
        st.set(JAVA_INT, LibFuse3.ST_MODE, type | (fi.mode() & 07777));
        st.set(JAVA_LONG, LibFuse3.ST_INO, fi.ino());
        st.set(JAVA_LONG, LibFuse3.ST_NLINK, fi.nlink());
        st.set(JAVA_INT, LibFuse3.ST_UID, Math.max(fi.uid(), 0));
        st.set(JAVA_INT, LibFuse3.ST_GID, Math.max(fi.gid(), 0));
        st.set(JAVA_LONG, LibFuse3.ST_SIZE, fi.size());
        st.set(JAVA_LONG, LibFuse3.ST_BLKSIZE, BLOCK);
        st.set(JAVA_LONG, LibFuse3.ST_BLOCKS, (fi.size() + 511) / 512);
        time(st, LibFuse3.ST_ATIM, fi.atime());
        time(st, LibFuse3.ST_MTIM, fi.mtime());
        time(st, LibFuse3.ST_CTIM, fi.ctime());
    }

    private static void time(MemorySegment st, long offset, long nanos) {
        st.set(JAVA_LONG, offset, Math.floorDiv(nanos, 1_000_000_000L));
        st.set(JAVA_LONG, offset + 8, Math.floorMod(nanos, 1_000_000_000L));
    }

    /** Listings of open directories, by the handle opendir gave, taken at offset 0. */
    private final Map<Long, List<FileInfo>> listings = new ConcurrentHashMap<>();
    private final AtomicLong dirHandles = new AtomicLong();

    /**
     * With readdirplus the kernel takes each entry's attributes from the listing, so {@code ls -l}
     * costs no lookup or getattr per file; libfuse links each entry to its node by name.
     *
     * <p>Entries are passed with their offsets (libfuse's offset mode): libfuse then makes each
     * entry's reply, attribute timeout included, while the filler runs, so the timeout set for
     * the entry is the one it gets. The listing is taken once per open directory at offset 0
     * (opendir, rewinddir) and served from memory for the kernel's later requests.
     */
    int readdir(MemorySegment pathPtr, MemorySegment buf, MemorySegment filler, long offset, MemorySegment fi, int flags) {
        String path = str(pathPtr);
        return guard("readdir", path, () -> {
            long dh = fh(fi);
            List<FileInfo> entries = offset == 0 ? null : listings.get(dh);
            if (entries == null) {
                entries = ops.readdir(caller(), path);
                if (dh != 0) listings.put(dh, entries);
            }
            boolean plus = (flags & FUSE_READDIR_PLUS) != 0;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment name = a.allocate(1024);
                MemorySegment st = a.allocate(LibFuse3.STAT_SIZE);
                for (long i = offset; i < entries.size() + 2; i++) {
                    int full;
                    if (i < 2) {
                        full = fillDir(filler, buf, name, i == 0 ? "." : "..", NULL, i + 1, 0);
                    } else {
                        FileInfo e = entries.get((int) (i - 2));
                        // Also without readdirplus: libfuse takes d_type from st_mode, and a
                        // known d_type spares rm -r, find and fts an lstat per entry.
                        st.fill((byte) 0);
                        fill(st, e);
                        if (plus) attrTimeout(e.path(), e);
                        full = fillDir(filler, buf, name, e.name(), st, i + 1, plus ? FUSE_FILL_DIR_PLUS : 0);
                    }
                    if (full != 0) break;
                }
            }
            return 0;
        });
    }

    private static int fillDir(MemorySegment filler, MemorySegment buf, MemorySegment nameBuf, String name,
                               MemorySegment stat, long nextOffset, int flags) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length >= nameBuf.byteSize()) return 0; // longer than NAME_MAX: not representable
        MemorySegment.copy(b, 0, nameBuf, JAVA_BYTE, 0, b.length);
        nameBuf.set(JAVA_BYTE, b.length, (byte) 0);
        try {
            return (int) LibFuse3.FILL_DIR.invokeExact(filler, buf, nameBuf, stat, nextOffset, flags);
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_fill_dir_t failed", t);
        }
    }

    int readlink(MemorySegment pathPtr, MemorySegment buf, long len) {
        String path = str(pathPtr);
        return guard("readlink", path, () -> {
            byte[] target = ops.readlink(caller(), path).getBytes(StandardCharsets.UTF_8);
            // readlink wants a NUL-terminated string, truncated to the buffer as readlink(2) does.
            int n = (int) Math.min(target.length, len - 1);
            MemorySegment out = buf.reinterpret(len);
            MemorySegment.copy(target, 0, out, JAVA_BYTE, 0, n);
            out.set(JAVA_BYTE, n, (byte) 0);
            return 0;
        });
    }

    int statfs(MemorySegment pathPtr, MemorySegment statvfs) {
        String path = str(pathPtr);
        return guard("statfs", path, () -> {
            FsStats s = ops.statfs(caller());
            MemorySegment st = statvfs.reinterpret(LibFuse3.STATVFS_SIZE);
            st.set(JAVA_LONG, LibFuse3.F_BSIZE, BLOCK);
            st.set(JAVA_LONG, LibFuse3.F_FRSIZE, BLOCK);
            st.set(JAVA_LONG, LibFuse3.F_BLOCKS, s.totalBytes() / BLOCK);
            st.set(JAVA_LONG, LibFuse3.F_BFREE, s.freeBytes() / BLOCK);
            st.set(JAVA_LONG, LibFuse3.F_BAVAIL, s.availableBytes() / BLOCK);
            st.set(JAVA_LONG, LibFuse3.F_FILES, s.files());
            st.set(JAVA_LONG, LibFuse3.F_FFREE, s.freeFiles());
            st.set(JAVA_LONG, LibFuse3.F_FAVAIL, s.freeFiles());
            st.set(JAVA_LONG, LibFuse3.F_NAMEMAX, s.maxNameLength());
            return 0;
        });
    }

    int access(MemorySegment pathPtr, int mask) {
        String path = str(pathPtr);
        // With default_permissions the kernel checks modes itself; this only answers existence
        // and refuses write access to the read-only tree.
        return guard("access", path, () -> {
            ops.getattr(caller(), path);
            return (mask & 2) != 0 && ControlTree.owns(path) ? -Errno.EROFS : 0;
        });
    }

    // --- namespace --------------------------------------------------------------------------

    int mkdir(MemorySegment pathPtr, int mode) {
        String path = str(pathPtr);
        return guard("mkdir", path, () -> { ops.mkdir(caller(), path, mode); return 0; });
    }

    int unlink(MemorySegment pathPtr) {
        String path = str(pathPtr);
        return guard("unlink", path, () -> { ops.unlink(caller(), path); return 0; });
    }

    int rmdir(MemorySegment pathPtr) {
        String path = str(pathPtr);
        return guard("rmdir", path, () -> { ops.rmdir(caller(), path); return 0; });
    }

    int symlink(MemorySegment targetPtr, MemorySegment pathPtr) {
        String target = str(targetPtr);
        String path = str(pathPtr);
        return guard("symlink", path, () -> { ops.symlink(caller(), target, path); return 0; });
    }

    /**
     * renameat2 flags: RENAME_NOREPLACE is checked here (mv tries it first and only falls back
     * on EINVAL); RENAME_EXCHANGE and RENAME_WHITEOUT are EINVAL, as on a file system without them.
     */
    int rename(MemorySegment fromPtr, MemorySegment toPtr, int flags) {
        String from = str(fromPtr);
        String to = str(toPtr);
        return guard("rename", from, () -> {
            // libfuse hides an open target before it asks for any rename over it (the kernel
            // refuses RENAME_NOREPLACE on a target it knows first); a rename refused here must
            // not leave such a hide to be carried out as an unlink.
            if ((flags & ~RENAME_NOREPLACE) != 0) {
                ops.renameRefused();
                return -Errno.EINVAL;
            }
            Caller c = caller();
            if ((flags & RENAME_NOREPLACE) != 0 && ops.exists(c, to)) {
                ops.renameRefused();
                return -Errno.EEXIST;
            }
            ops.rename(c, from, to, LibFuse3.callerTid());
            return 0;
        });
    }

    int link(MemorySegment existingPtr, MemorySegment pathPtr) {
        String existing = str(existingPtr);
        String path = str(pathPtr);
        return guard("link", path, () -> { ops.link(caller(), existing, path); return 0; });
    }

    int chmod(MemorySegment pathPtr, int mode, MemorySegment fi) {
        String path = str(pathPtr);
        return guard("chmod", path, () -> { ops.chmod(caller(), need(path), mode); return 0; });
    }

    int chown(MemorySegment pathPtr, int uid, int gid, MemorySegment fi) {
        String path = str(pathPtr);
        return guard("chown", path, () -> {
            Caller c = caller();
            ops.chown(c, need(path), uid, gid);
            dropSetIds(c, path, 0, true);
            return 0;
        });
    }

    int truncate(MemorySegment pathPtr, long size, MemorySegment fi) {
        String path = str(pathPtr);
        return guard("truncate", path, () -> {
            Caller c = caller();
            long fh = fi.address() != 0 ? fh(fi) : 0;
            dropSetIds(c, path, fh, false);
            if (fh != 0) ops.ftruncate(c, path, fh, size);
            else ops.truncate(c, need(path), size);
            return 0;
        });
    }

    /**
     * Under FUSE_HANDLE_KILLPRIV_V2 (see {@link DeviceIo}) the kernel leaves clearing set-ID
     * bits to the file system: for a write, truncate or O_TRUNC open by a process without
     * CAP_FSETID (looked up only when the file has such bits), and after every chown
     * ({@code byAnyone}). The reply does not carry the new mode, so the kernel's cached
     * attributes of the file are dropped.
     */
    private void dropSetIds(Caller c, String path, long fh, boolean byAnyone) {
        if (!killprivV2) return;
        try {
            // The caller's thread is looked up inside this callback, and only for a file with set-ID bits.
            if (ops.dropSetIds(c, path, fh, () -> !byAnyone && hasFsetid(LibFuse3.callerTid()))) {
                KernelCache k = kernel;
                if (k != null) k.attributesChanged(path);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // Best effort, after the change itself has been made or the handle opened: a name
            // the core does not know (libfuse's hidden name of an unlinked file) keeps its bits.
            if (TRACE) System.err.println("dropSetIds " + path + ": " + e);
        }
    }

    /** CAP_FSETID (bit 4) in the effective set of thread {@code tid}; false when it cannot be read. */
    static boolean hasFsetid(int tid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", String.valueOf(tid), "status"))) {
                if (line.startsWith("CapEff:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 4)) != 0;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // the caller is gone: clear, as for one without the capability
        }
        return false;
    }

    /** Whether the kernel took FUSE_HANDLE_KILLPRIV_V2, set once INIT is answered. */
    private volatile boolean killprivV2;

    void killprivV2(boolean agreed) {
        killprivV2 = agreed;
    }

    /** The mount's cache keeper, once mounted: a change it is not told of by the core goes through it. */
    private volatile KernelCache kernel;

    void kernelCache(KernelCache k) {
        kernel = k;
    }

    int utimens(MemorySegment pathPtr, MemorySegment tv, MemorySegment fi) {
        String path = str(pathPtr);
        return guard("utimens", path, () -> {
            MemorySegment t = tv.reinterpret(32);
            ops.utimens(caller(), need(path), nanos(t, 0), nanos(t, 16));
            return 0;
        });
    }

    // utimensat(2) special nanosecond values.
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    private Long nanos(MemorySegment tv, long offset) {
        long sec = tv.get(JAVA_LONG, offset);
        long nsec = tv.get(JAVA_LONG, offset + 8);
        if (nsec == UTIME_OMIT) return null;
        if (nsec == UTIME_NOW) {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }
        return sec * 1_000_000_000L + nsec;
    }

    // --- open files -------------------------------------------------------------------------

    int create(MemorySegment pathPtr, int mode, MemorySegment fi) {
        String path = str(pathPtr);
        return guard("create", path, () -> {
            Caller c = caller();
            int flags = flags(fi);
            // Linux clears the bits of a file that existed, not of one this call creates.
            boolean truncatesOld = killprivV2 && (flags & MountOperations.O_TRUNC) != 0
                    && (flags & MountOperations.O_EXCL) == 0 && ops.exists(c, path);
            int r = opened(fi, ops.create(c, path, flags, mode));
            if (truncatesOld) dropSetIds(c, path, fh(fi), false);
            return r;
        });
    }

    int open(MemorySegment pathPtr, MemorySegment fi) {
        String path = str(pathPtr);
        return guard("open", path, () -> {
            Caller c = caller();
            int flags = flags(fi);
            int r = opened(fi, ops.open(c, path, flags));
            if ((flags & MountOperations.O_TRUNC) != 0) dropSetIds(c, path, fh(fi), false);
            return r;
        });
    }

    private static int opened(MemorySegment fiPtr, MountOperations.Opened o) {
        MemorySegment fi = fiPtr.reinterpret(LibFuse3.FI_SIZE);
        fi.set(JAVA_LONG, LibFuse3.FI_FH, o.fh());
        int bits = fi.get(JAVA_INT, LibFuse3.FI_BITS);
        if (o.directIo()) bits |= LibFuse3.FI_DIRECT_IO;
        else if (o.keepCache()) bits |= LibFuse3.FI_KEEP_CACHE;
        if (o.noFlush()) bits |= LibFuse3.FI_NOFLUSH;
        fi.set(JAVA_INT, LibFuse3.FI_BITS, bits);
        return 0;
    }

    int read(MemorySegment pathPtr, MemorySegment buf, long size, long offset, MemorySegment fi) {
        return guard("read", null, () -> {
            byte[] data = ops.read(caller(), fh(fi), offset, (int) size);
            MemorySegment.copy(data, 0, buf.reinterpret(size), JAVA_BYTE, 0, data.length);
            return data.length;
        });
    }

    int write(MemorySegment pathPtr, MemorySegment buf, long size, long offset, MemorySegment fi) {
        return guard("write", null, () -> {
            byte[] data = new byte[(int) size];
            MemorySegment.copy(buf.reinterpret(size), JAVA_BYTE, 0, data, 0, data.length);
            Caller c = caller();
            String path = str(pathPtr);
            long fh = fh(fi);
            dropSetIds(c, path, fh, false); // first, as the kernel does: a write that fails has still cleared them
            return ops.write(c, path, fh, offset, data);
        });
    }

    int flush(MemorySegment pathPtr, MemorySegment fi) {
        return guard("flush", null, () -> { ops.flush(caller(), fh(fi)); return 0; });
    }

    int fsync(MemorySegment pathPtr, int datasync, MemorySegment fi) {
        return guard("fsync", null, () -> { ops.fsync(caller(), fh(fi)); return 0; });
    }

    int release(MemorySegment pathPtr, MemorySegment fi) {
        return guard("release", null, () -> { ops.release(caller(), fh(fi)); return 0; });
    }

    int opendir(MemorySegment pathPtr, MemorySegment fi) {
        String path = str(pathPtr);
        return guard("opendir", path, () -> {
            if (!ops.getattr(caller(), path).isDirectory()) return -Errno.ENOTDIR;
            fi.reinterpret(LibFuse3.FI_SIZE).set(JAVA_LONG, LibFuse3.FI_FH, dirHandles.incrementAndGet());
            return 0;
        });
    }

    int releasedir(MemorySegment pathPtr, MemorySegment fi) {
        listings.remove(fh(fi));
        return 0;
    }

    int fsyncdir(MemorySegment pathPtr, int datasync, MemorySegment fi) {
        // Every namespace change is already one atomic batch in the core's write-ahead log.
        return 0;
    }

    // --- extended attributes ----------------------------------------------------------------

    int getxattr(MemorySegment pathPtr, MemorySegment namePtr, MemorySegment value, long size) {
        String path = str(pathPtr);
        String name = str(namePtr);
        if (name != null && MountOperations.neverStored(name)) {
            served("getxattr", 0);
            // Not supported rather than absent: GNU ls then stops asking on this device (it caches
            // "unsupported" per st_dev), where ENODATA cost two round trips per file of ls -l.
            return -Errno.EOPNOTSUPP;
        }
        return guard("getxattr", path, () -> {
            byte[] v = ops.getxattr(caller(), path, name);
            if (size == 0) return v.length;
            if (size < v.length) return -Errno.ERANGE;
            MemorySegment.copy(v, 0, value.reinterpret(size), JAVA_BYTE, 0, v.length);
            return v.length;
        });
    }

    int listxattr(MemorySegment pathPtr, MemorySegment list, long size) {
        String path = str(pathPtr);
        return guard("listxattr", path, () -> {
            java.io.ByteArrayOutputStream names = new java.io.ByteArrayOutputStream();
            for (String n : ops.listxattr(caller(), path)) {
                names.writeBytes(n.getBytes(StandardCharsets.UTF_8));
                names.write(0);
            }
            byte[] all = names.toByteArray();
            if (size == 0) return all.length;
            if (size < all.length) return -Errno.ERANGE;
            MemorySegment.copy(all, 0, list.reinterpret(size), JAVA_BYTE, 0, all.length);
            return all.length;
        });
    }

    int setxattr(MemorySegment pathPtr, MemorySegment namePtr, MemorySegment value, long size, int flags) {
        String path = str(pathPtr);
        String name = str(namePtr);
        return guard("setxattr", path, () -> {
            byte[] v = new byte[(int) size];
            if (size > 0) MemorySegment.copy(value.reinterpret(size), JAVA_BYTE, 0, v, 0, v.length);
            int mode = (flags & XATTR_CREATE) != 0 ? 1 : (flags & XATTR_REPLACE) != 0 ? 2 : 0;
            ops.setxattr(caller(), path, name, v, mode);
            return 0;
        });
    }

    int removexattr(MemorySegment pathPtr, MemorySegment namePtr) {
        String path = str(pathPtr);
        String name = str(namePtr);
        return guard("removexattr", path, () -> { ops.removexattr(caller(), path, name); return 0; });
    }
}
