package dev.semfs.fuse.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * libfuse 3 through FFM: the functions the mount calls and the layouts of the structs it reads
 * and writes (glibc, x86-64 Linux). The layouts are those of libfuse 3.14, checked against its
 * headers and its shared library (struct fuse_config in particular moved between 3.x releases,
 * and the fuse_file_info bit-fields did); {@link #checkVersion} refuses other versions.
 * Versioned symbols are looked up by their explicit names (fuse_new_31, fuse_loop_mt_312), as a
 * C program compiled against the headers would bind them.
 *
 * <p>Stateless and thread-safe.
 */
final class LibFuse3 {
    private LibFuse3() {}

    /** Where Debian, Ubuntu and Fedora put libfuse3; jfuse's default needs the -dev package's unversioned link. */
    static String libraryPath() {
        for (String p : List.of("/lib/x86_64-linux-gnu/libfuse3.so.3", "/usr/lib/x86_64-linux-gnu/libfuse3.so.3",
                "/usr/lib64/libfuse3.so.3", "/usr/lib/libfuse3.so.3", "/lib64/libfuse3.so.3")) {
            if (Files.exists(Path.of(p))) return p;
        }
        return null;
    }

    static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIB;
    private static final MethodHandle GET_CONTEXT;
    private static final MethodHandle INVALIDATE_PATH;
    private static final MethodHandle GET_SESSION;
    private static final MethodHandle EXPIRE_ENTRY;
    private static final MethodHandle INVAL_ENTRY;
    private static final MethodHandle INVAL_INODE;
    private static final MethodHandle NEW;
    private static final MethodHandle MOUNT;
    private static final MethodHandle LOOP;
    private static final MethodHandle LOOP_MT;
    private static final MethodHandle LOOP_CFG_CREATE;
    private static final MethodHandle LOOP_CFG_DESTROY;
    private static final MethodHandle UNMOUNT;
    private static final MethodHandle DESTROY;
    private static final MethodHandle VERSION;
    private static final MethodHandle SESSION_FD;
    private static final MethodHandle CUSTOM_IO;
    private static final MethodHandle RECEIVE_BUF;
    private static final MethodHandle PROCESS_BUF;
    private static final MethodHandle EXITED;
    private static final MethodHandle RESET;
    private static final MethodHandle FCNTL = LINKER.downcallHandle(LINKER.defaultLookup().find("fcntl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle POLL = LINKER.downcallHandle(LINKER.defaultLookup().find("poll").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle FREE = LINKER.downcallHandle(LINKER.defaultLookup().find("free").orElseThrow(),
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    /** {@code fuse_fill_dir_t}: called through the pointer libfuse passes to readdir. */
    static final MethodHandle FILL_DIR = LINKER.downcallHandle(FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    static {
        String path = libraryPath();
        LIB = path != null ? SymbolLookup.libraryLookup(Path.of(path), Arena.global())
                : SymbolLookup.libraryLookup("libfuse3.so.3", Arena.global());
        GET_CONTEXT = handle("fuse_get_context", FunctionDescriptor.of(ValueLayout.ADDRESS));
        INVALIDATE_PATH = handle("fuse_invalidate_path", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        GET_SESSION = handle("fuse_get_session", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        EXPIRE_ENTRY = handle("fuse_lowlevel_notify_expire_entry", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        ValueLayout P = ValueLayout.ADDRESS;
        NEW = handle("fuse_new_31", FunctionDescriptor.of(P, P, P, ValueLayout.JAVA_LONG, P));
        MOUNT = handle("fuse_mount", FunctionDescriptor.of(ValueLayout.JAVA_INT, P, P));
        LOOP = handle("fuse_loop", FunctionDescriptor.of(ValueLayout.JAVA_INT, P));
        LOOP_MT = handle("fuse_loop_mt_312", FunctionDescriptor.of(ValueLayout.JAVA_INT, P, P));
        LOOP_CFG_CREATE = handle("fuse_loop_cfg_create", FunctionDescriptor.of(P));
        LOOP_CFG_DESTROY = handle("fuse_loop_cfg_destroy", FunctionDescriptor.ofVoid(P));
        UNMOUNT = handle("fuse_unmount", FunctionDescriptor.ofVoid(P));
        VERSION = handle("fuse_version", FunctionDescriptor.of(ValueLayout.JAVA_INT));
        DESTROY = handle("fuse_destroy", FunctionDescriptor.ofVoid(P));
        SESSION_FD = handle("fuse_session_fd", FunctionDescriptor.of(ValueLayout.JAVA_INT, P));
        CUSTOM_IO = handle("fuse_session_custom_io", FunctionDescriptor.of(ValueLayout.JAVA_INT, P, P, ValueLayout.JAVA_INT));
        RECEIVE_BUF = handle("fuse_session_receive_buf", FunctionDescriptor.of(ValueLayout.JAVA_INT, P, P));
        PROCESS_BUF = handle("fuse_session_process_buf", FunctionDescriptor.ofVoid(P, P));
        EXITED = handle("fuse_session_exited", FunctionDescriptor.of(ValueLayout.JAVA_INT, P));
        RESET = handle("fuse_session_reset", FunctionDescriptor.ofVoid(P));
        INVAL_INODE = handle("fuse_lowlevel_notify_inval_inode", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        INVAL_ENTRY = handle("fuse_lowlevel_notify_inval_entry", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LIB.find(name).map(a -> LINKER.downcallHandle(a, fd)).orElse(null);
    }

    // struct fuse_context { struct fuse *fuse; uid_t uid; gid_t gid; pid_t pid; ... }
    private static final long CTX_SIZE = 40;

    /** uid and gid of the process that made the current request; only valid inside a callback. */
    static long callerIds() {
        try {
            MemorySegment ctx = ((MemorySegment) GET_CONTEXT.invokeExact()).reinterpret(CTX_SIZE);
            return ((long) ctx.get(ValueLayout.JAVA_INT, 8) << 32) | (ctx.get(ValueLayout.JAVA_INT, 12) & 0xffffffffL);
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_get_context failed", t);
        }
    }

    /** Thread id of the process that made the current request (fuse_context.pid); only valid inside a callback. */
    static int callerTid() {
        try {
            MemorySegment ctx = ((MemorySegment) GET_CONTEXT.invokeExact()).reinterpret(CTX_SIZE);
            return ctx.get(ValueLayout.JAVA_INT, 16);
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_get_context failed", t);
        }
    }

    /**
     * Drops the kernel's cached attributes and pages of {@code path} (libfuse's own path-to-node
     * table finds the node; nothing happens when the kernel never saw it). Returns 0 or -errno
     * (-ENOENT: not cached).
     */
    static int invalidatePath(MemorySegment fuse, String path) {
        try (Arena a = Arena.ofConfined()) {
            return (int) INVALIDATE_PATH.invokeExact(fuse, a.allocateFrom(path));
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_invalidate_path failed", t);
        }
    }

    /**
     * Drops the kernel's cached attributes of node {@code nodeId}, not its pages: it never waits
     * for a page lock, and so for a request in flight, which makes it safe on any thread, a loop
     * thread of this mount included.
     */
    static int invalidateAttributes(MemorySegment fuse, long nodeId) {
        try {
            MemorySegment se = (MemorySegment) GET_SESSION.invokeExact(fuse);
            return (int) INVAL_INODE.invokeExact(se, nodeId, -1L, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_lowlevel_notify_inval_inode failed", t);
        }
    }

    static boolean canExpireEntries() {
        return GET_SESSION != null && EXPIRE_ENTRY != null;
    }

    private static final int FUSE_LL_EXPIRE_ONLY = 1;

    /**
     * Marks the kernel's dentry {@code name} in directory node {@code parent} as expired: the
     * next path walk through it asks the file system again, but a process whose working directory
     * it is keeps a valid cwd (an invalidation would unhash it and make getcwd fail). Returns 0
     * or -errno (-ENOENT: the kernel has no such dentry).
     */
    static int expireEntry(MemorySegment fuse, long parent, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment se = (MemorySegment) GET_SESSION.invokeExact(fuse);
            MemorySegment n = a.allocateFrom(name);
            int r = (int) EXPIRE_ENTRY.invokeExact(se, parent, n, n.byteSize() - 1, FUSE_LL_EXPIRE_ONLY);
            if (r == -38 /* ENOSYS: kernel older than 6.2 */) r = (int) INVAL_ENTRY.invokeExact(se, parent, n, n.byteSize() - 1);
            return r;
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_lowlevel_notify_expire_entry failed", t);
        }
    }

    // --- session ----------------------------------------------------------------------------

    /**
     * fuse_new with {@code args} (program name first; -o options) and the operations struct;
     * NULL when libfuse refused the options (it prints why on stderr).
     */
    /** The libfuse versions whose struct layouts this binding was checked against (major * 100 + minor). */
    static final List<Integer> VERIFIED_VERSIONS = List.of(314);

    /** Set to mount with a libfuse whose layouts were not checked, at one's own risk. */
    static final String ANY_VERSION = "SEMFS_FUSE_ANY_VERSION";

    /**
     * Refuses a libfuse whose struct layouts were not checked: writing the config or a file
     * info at another version's offsets corrupts libfuse's memory instead of failing.
     */
    static void checkVersion(int version, boolean anyVersion) throws java.io.IOException {
        if (VERIFIED_VERSIONS.contains(version) || anyVersion) return;
        throw new java.io.IOException("libfuse " + version / 100 + "." + version % 100 + " is installed, but the mount's binding was "
                + "checked against libfuse 3.14 only (struct layouts differ between versions); install libfuse3 3.14, "
                + "or set " + ANY_VERSION + "=1 to try it anyway");
    }

    /** fuse_version(): major * 100 + minor of the loaded library. */
    static int version() {
        try {
            return (int) VERSION.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_version failed", t);
        }
    }

    static MemorySegment newFuse(Arena arena, List<String> args, MemorySegment operations) {
        MemorySegment argv = arena.allocate(ValueLayout.ADDRESS, args.size() + 1);
        for (int i = 0; i < args.size(); i++) argv.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(args.get(i)));
        MemorySegment fuseArgs = arena.allocate(24); // struct fuse_args { int argc; char **argv; int allocated; }
        fuseArgs.set(ValueLayout.JAVA_INT, 0, args.size());
        fuseArgs.set(ValueLayout.ADDRESS, 8, argv);
        fuseArgs.set(ValueLayout.JAVA_INT, 16, 0);
        try {
            return (MemorySegment) NEW.invokeExact(fuseArgs, operations, OPS_SIZE, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_new failed", t);
        }
    }

    static int mount(MemorySegment fuse, String mountPoint) {
        try (Arena a = Arena.ofConfined()) {
            return (int) MOUNT.invokeExact(fuse, a.allocateFrom(mountPoint));
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_mount failed", t);
        }
    }

    /**
     * Has libfuse read requests and write replies through {@code io} (a struct fuse_custom_io,
     * see {@link DeviceIo}) on the mounted session's own device; before the loop starts, so that
     * INIT goes through it. Returns 0, or -errno (-ENOSYS: this libfuse has no custom I/O).
     */
    static int customIo(MemorySegment fuse, MemorySegment io) {
        if (!hasCustomIo()) return -38;
        try {
            MemorySegment se = (MemorySegment) GET_SESSION.invokeExact(fuse);
            int fd = (int) SESSION_FD.invokeExact(se);
            return (int) CUSTOM_IO.invokeExact(se, io, fd);
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_session_custom_io failed", t);
        }
    }

    static boolean hasCustomIo() {
        return SESSION_FD != null && CUSTOM_IO != null && GET_SESSION != null && RECEIVE_BUF != null && PROCESS_BUF != null;
    }

    /**
     * Reads one request from the session's device and has libfuse serve it, on this thread,
     * after showing it to {@code peek}; nothing when the read fails (the loop then finds out).
     */
    static void serveOne(MemorySegment fuse, java.util.function.Consumer<MemorySegment> peek) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment se = (MemorySegment) GET_SESSION.invokeExact(fuse);
            MemorySegment buf = a.allocate(40); // struct fuse_buf { size_t size; int flags; void *mem; int fd; off_t pos; }
            int n = (int) RECEIVE_BUF.invokeExact(se, buf);
            MemorySegment mem = buf.get(ValueLayout.ADDRESS, 16);
            try {
                if (n <= 0) return;
                peek.accept(mem.reinterpret(n));
                PROCESS_BUF.invokeExact(se, buf);
            } finally {
                if (mem.address() != 0) FREE.invokeExact(mem);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("serving a FUSE request failed", t);
        }
    }

    /**
     * Serves requests until the file system is unmounted; on libfuse's own threads when
     * {@code multithreaded}, else on this thread, which after each request keeps polling the
     * device for {@code spinNanos} before it blocks (see {@link #spinningLoop}); a positive
     * {@code spinNanos} only after {@link #readWithoutBlocking} made the device non-blocking.
     */
    static int loop(MemorySegment fuse, boolean multithreaded, long spinNanos) {
        try {
            if (!multithreaded && spinNanos > 0) return spinningLoop(fuse, spinNanos);
            if (!multithreaded) return (int) LOOP.invokeExact(fuse);
            MemorySegment cfg = (MemorySegment) LOOP_CFG_CREATE.invokeExact();
            try {
                return (int) LOOP_MT.invokeExact(fuse, cfg);
            } finally {
                LOOP_CFG_DESTROY.invokeExact(cfg);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_loop failed", t);
        }
    }

    private static boolean canSpin() {
        return GET_SESSION != null && SESSION_FD != null && RECEIVE_BUF != null && PROCESS_BUF != null
                && EXITED != null && RESET != null;
    }

    private static final int F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 04000, POLLIN = 1, EINTR = 4;

    /**
     * Makes the session's device non-blocking, for a loop that will poll it; on the mounting
     * thread, before the loop starts, so the mount is as it will be served once mounting
     * returns. False when it stays blocking (libfuse's own loop then serves it).
     */
    static boolean readWithoutBlocking(MemorySegment fuse) {
        if (!canSpin()) return false;
        try {
            int fd = (int) SESSION_FD.invokeExact((MemorySegment) GET_SESSION.invokeExact(fuse));
            int flags = (int) FCNTL.invokeExact(fd, F_GETFL, 0);
            return flags >= 0 && (int) FCNTL.invokeExact(fd, F_SETFL, flags | O_NONBLOCK) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException("fcntl of the FUSE device failed", t);
        }
    }

    /** How often a spinning loop asks again whether the machine still has a CPU to spare. */
    private static final long LOOK_EVERY_NANOS = 10_000;

    /**
     * libfuse's single-threaded loop ({@code fuse_session_loop}, which {@code fuse_loop} runs),
     * except that the device is read without blocking and, after each request, read again for
     * up to {@code spinNanos} before the thread blocks in poll(2), as long as the machine has a
     * CPU to spare ({@link RunnableThreads}). A thread that blocks lets its CPU go idle; on a VM
     * that halts idle vCPUs (guest halt polling off) waking it costs tens of microseconds, more
     * than most requests: a round trip took 56-102 µs there, 15-29 µs with the loop polling
     * (docs/benchmarks.md, "Session 6"). When another thread wants the CPU the loop blocks at
     * once: the CPU does not go idle then, and polling would take it from that thread. An idle
     * mount blocks as libfuse's does and costs no CPU.
     */
    private static int spinningLoop(MemorySegment fuse, long spinNanos) throws Throwable {
        MemorySegment se = (MemorySegment) GET_SESSION.invokeExact(fuse);
        int fd = (int) SESSION_FD.invokeExact(se);
        try (Arena a = Arena.ofConfined(); RunnableThreads runnable = RunnableThreads.ofThisMachine()) {
            MemorySegment buf = a.allocate(40); // struct fuse_buf, mem NULL: libfuse allocates it once
            MemorySegment pfd = a.allocate(8); // struct pollfd { int fd; short events; short revents; }
            pfd.set(ValueLayout.JAVA_INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, (short) POLLIN);
            int res = 0;
            boolean spin = false;
            long idleSince = 0, nextLook = 0;
            try {
                while ((int) EXITED.invokeExact(se) == 0) {
                    int n = (int) RECEIVE_BUF.invokeExact(se, buf);
                    if (n == -EAGAIN) {
                        long now = System.nanoTime();
                        if (spin && now >= nextLook) {
                            // Asked at the first empty read, not after every request: a request
                            // already waiting is served without the look.
                            spin = runnable.cpuToSpare();
                            nextLook = now + LOOK_EVERY_NANOS;
                        }
                        if (spin && now - idleSince < spinNanos) {
                            Thread.onSpinWait();
                        } else {
                            // Readable, or an error once the connection is gone (the next read says ENODEV).
                            if ((int) POLL.invokeExact(pfd, 1L, -1) < 0) LockSupport.parkNanos(1_000_000); // EINTR, or worse: no busy loop
                            spin = false;
                        }
                        continue;
                    }
                    if (n == -EINTR) continue;
                    if (n <= 0) {
                        res = n;
                        break;
                    }
                    PROCESS_BUF.invokeExact(se, buf);
                    idleSince = System.nanoTime();
                    spin = true;
                    nextLook = idleSince;
                }
            } finally {
                MemorySegment mem = buf.get(ValueLayout.ADDRESS, 16);
                if (mem.address() != 0) FREE.invokeExact(mem);
                RESET.invokeExact(se);
            }
            return Math.min(res, 0);
        }
    }

    /** fuse_unmount then fuse_destroy (which calls the destroy callback). */
    /** fuse_unmount, then fuse_destroy unless {@code destroy} is false (something may still use the session). */
    static void teardown(MemorySegment fuse, boolean destroy) {
        try {
            UNMOUNT.invokeExact(fuse);
            if (destroy) DESTROY.invokeExact(fuse);
        } catch (Throwable t) {
            throw new IllegalStateException("fuse teardown failed", t);
        }
    }

    // struct fuse_operations (fuse3): slot numbers of the callbacks, 42 pointers in all
    static final long OP_GETATTR = 0, OP_READLINK = 1, OP_MKDIR = 3, OP_UNLINK = 4, OP_RMDIR = 5, OP_SYMLINK = 6,
            OP_RENAME = 7, OP_LINK = 8, OP_CHMOD = 9, OP_CHOWN = 10, OP_TRUNCATE = 11, OP_OPEN = 12, OP_READ = 13,
            OP_WRITE = 14, OP_STATFS = 15, OP_FLUSH = 16, OP_RELEASE = 17, OP_FSYNC = 18, OP_SETXATTR = 19,
            OP_GETXATTR = 20, OP_LISTXATTR = 21, OP_REMOVEXATTR = 22, OP_OPENDIR = 23, OP_READDIR = 24,
            OP_RELEASEDIR = 25, OP_FSYNCDIR = 26, OP_INIT = 27, OP_DESTROY = 28, OP_ACCESS = 29, OP_CREATE = 30,
            OP_UTIMENS = 32;
    static final long OPS_SIZE = 42 * 8;

    static final int S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;

    // struct fuse_conn_info
    static final long CONN_MAX_WRITE = 8, CONN_MAX_READAHEAD = 16, CONN_CAPABLE = 20, CONN_WANT = 24, CONN_SIZE = 128;
    static final int CAP_ASYNC_READ = 1, CAP_ATOMIC_O_TRUNC = 1 << 3, CAP_AUTO_INVAL_DATA = 1 << 12, CAP_READDIRPLUS = 1 << 13,
            CAP_READDIRPLUS_AUTO = 1 << 14, CAP_WRITEBACK_CACHE = 1 << 16;

    // --- kernel node ids ----------------------------------------------------------------------

    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final java.lang.foreign.StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final java.lang.invoke.VarHandle ERRNO_OF = CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL4 = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), Linker.Option.firstVariadicArg(1), ERRNO);
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle NAME_TO_HANDLE_AT = LINKER.downcallHandle(LINKER.defaultLookup().find("name_to_handle_at").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final long SYS_OPENAT2 = 437;
    private static final int AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000;
    private static final int O_PATH = 010000000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000;
    private static final long RESOLVE_CACHED = 0x20;
    private static final int EAGAIN = 11;

    /**
     * The FUSE node id the kernel has for directory {@code dir} (absolute, inside the mount), or
     * -1 when it has none. First from the dentry cache alone (openat2 RESOLVE_CACHED: no request
     * reaches the file system); when a component needs revalidating, by an ordinary path walk,
     * whose lookups the mount's loop answers, so this must not run on a loop thread. The id
     * comes from the kernel's file handle, which for FUSE is the node id and generation.
     */
    static long nodeIdOf(String dir) {
        return nodeId(dir, O_DIRECTORY, true);
    }

    /**
     * The node id of {@code path} if the kernel has it and every component on the way in its
     * caches, else -1; never sends a request, so any thread may ask.
     */
    static long cachedNodeIdOf(String path) {
        return nodeId(path, O_NOFOLLOW, false);
    }

    private static long nodeId(String dir, int extraFlags, boolean walk) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment path = a.allocateFrom(dir);
            MemorySegment how = a.allocate(24); // struct open_how { u64 flags, mode, resolve; }
            how.set(ValueLayout.JAVA_LONG, 0, O_PATH | extraFlags | O_CLOEXEC);
            how.set(ValueLayout.JAVA_LONG, 16, RESOLVE_CACHED);
            MemorySegment state = a.allocate(CALL_STATE);
            int fd = (int) (long) SYSCALL4.invokeExact(state, SYS_OPENAT2, AT_FDCWD, path, how, 24L);
            if (fd < 0 && walk && (int) ERRNO_OF.get(state, 0L) == EAGAIN) fd = (int) OPEN.invokeExact(path, O_PATH | extraFlags | O_CLOEXEC);
            if (fd < 0) return -1;
            try {
                MemorySegment handle = a.allocate(8 + 128);
                handle.set(ValueLayout.JAVA_INT, 0, 128);
                MemorySegment mountId = a.allocate(ValueLayout.JAVA_INT);
                int r = (int) NAME_TO_HANDLE_AT.invokeExact(fd, a.allocateFrom(""), handle, mountId, AT_EMPTY_PATH);
                if (r != 0 || handle.get(ValueLayout.JAVA_INT, 0) < 8) return -1;
                return ((long) handle.get(ValueLayout.JAVA_INT, 8) << 32) | (handle.get(ValueLayout.JAVA_INT, 12) & 0xffffffffL);
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("cannot find the node id of " + dir, t);
        }
    }

    // struct stat (glibc x86-64)
    static final long ST_INO = 8, ST_NLINK = 16, ST_MODE = 24, ST_UID = 28, ST_GID = 32, ST_SIZE = 48,
            ST_BLKSIZE = 56, ST_BLOCKS = 64, ST_ATIM = 72, ST_MTIM = 88, ST_CTIM = 104;
    static final long STAT_SIZE = 144;

    // struct statvfs (glibc x86-64)
    static final long F_BSIZE = 0, F_FRSIZE = 8, F_BLOCKS = 16, F_BFREE = 24, F_BAVAIL = 32, F_FILES = 40,
            F_FFREE = 48, F_FAVAIL = 56, F_NAMEMAX = 80;
    static final long STATVFS_SIZE = 112;

    // struct fuse_file_info (fuse3 3.14): int flags; the bit-field word; padding; uint64_t fh; ...
    static final long FI_BITS = 4, FI_FH = 16, FI_SIZE = 40;
    static final int FI_DIRECT_IO = 1 << 1, FI_KEEP_CACHE = 1 << 2, FI_NOFLUSH = 1 << 7;

    // struct fuse_config (fuse3 3.14)
    static final long CFG_ENTRY_TIMEOUT = 24, CFG_NEGATIVE_TIMEOUT = 32, CFG_ATTR_TIMEOUT = 40, CFG_HARD_REMOVE = 60,
            CFG_USE_INO = 64, CFG_READDIR_INO = 68, CFG_DIRECT_IO = 72, CFG_KERNEL_CACHE = 76, CFG_AUTO_CACHE = 80,
            CFG_NULLPATH_OK = 104;
    static final long CFG_SIZE = 128;
}
