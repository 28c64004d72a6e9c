package dev.semfs.fuse.internal;

import dev.semfs.fuse.MountOptions;
import dev.semfs.fuse.MountedWorkspace;
import dev.semfs.fuse.Mounter;
import dev.semfs.syscalls.Workspace;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounts through libfuse 3 (FFM, see {@link Fuse3FileSystem}). libfuse's loop runs on a daemon thread of ours; the
 * mount is reported once /proc/self/mountinfo shows it.
 *
 * <p>libfuse options, and why (the ones libfuse 3 takes from {@code fuse_config} are set in
 * {@code Fuse3FileSystem.init}):
 * <ul>
 *   <li>{@code default_permissions}: the kernel enforces owner/group/mode/sticky bits from our
 *       getattr, so the adapter does not re-implement POSIX permission checks;
 *   <li>{@code use_ino}: st_ino is the core's inode number, so hard links show as such;
 *   <li>no {@code hard_remove}: libfuse hides an open file on unlink, which
 *       {@link MountOperations} maps back to a real unlink in the core (see there), so that
 *       fstat(2) on a descriptor of an unlinked file keeps working;
 *   <li>atomic O_TRUNC (a libfuse 3 capability): open(O_TRUNC) reaches the core as one Open with
 *       truncate, not a separate truncate (which would cut an extra, empty version) before it;
 *   <li>cache timeouts and direct I/O: see fuse-mount/README.md, "Cache consistency";
 *   <li>{@code auto_unmount}: fusermount3 removes the mount when this process dies, even by
 *       kill -9, so a crash leaves no "Transport endpoint is not connected" behind;
 *   <li>{@code -s} unless multithreaded (see {@link MountOptions#multithreaded()}).
 * </ul>
 */
public final class Fuse3Mounter implements Mounter {
    private static final Logger LOG = LoggerFactory.getLogger(Fuse3Mounter.class);
    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(20);
    /** How long an unmount of a busy mount waits for the last open file to close. */
    private static final Duration BUSY_GRACE = Duration.ofSeconds(3);

    private final Clock clock;

    private Fuse3Mounter(Clock clock) {
        this.clock = clock;
    }

    public static Fuse3Mounter create() {
        return new Fuse3Mounter(Clock.systemUTC());
    }

    /** fuse_new's arguments after the program name. */
    static List<String> fuseArgs(MountOptions options) {
        List<String> o = new ArrayList<>(List.of("fsname=semfs", "subtype=semfs", "default_permissions", "auto_unmount"));
        if (options.allowOther()) o.add("allow_other");
        if (options.debug()) o.add("debug");
        return List.of("-o", String.join(",", o));
    }

    /**
     * How long the kernel may use a dentry without asking. Consistency does not rest on it (every
     * change by another route is invalidated, see {@link KernelCache}); it only bounds what
     * invalidation cannot name: a change made through a symlinked path elsewhere.
     */
    static final double CACHE_SECONDS = 5.0;

    /**
     * How long the kernel may keep the attributes of a node whose attributes cannot go stale
     * behind its back: a directory, a symlink, or a file with one link, reached by a live name
     * (see {@link MountOperations#attrsCacheable}). Every change by another route invalidates
     * them (see {@link KernelCache}); the bound is for what invalidation cannot name, a file
     * renamed elsewhere while a process here holds it open under its old name.
     */
    static final double ATTR_SECONDS = 5.0;

    /** Kernel cache settings; see fuse-mount/README.md, "Cache consistency". */
    static Fuse3FileSystem.CachePolicy cachePolicy(MountOptions options) {
        // libfuse reads the attribute timeout from its config after each getattr callback; only a
        // single serving thread lets the callback set it per node without racing another.
        return new Fuse3FileSystem.CachePolicy(CACHE_SECONDS, options.multithreaded() ? 0.0 : ATTR_SECONDS);
    }

    @Override
    public MountedWorkspace mount(Workspace workspace, Path mountPoint, MountOptions options) throws IOException {
        LibFuse3.checkVersion(LibFuse3.version(), System.getenv(LibFuse3.ANY_VERSION) != null);
        Path mp = mountPoint.toAbsolutePath().normalize();
        // The parent's real path: a stale mount point itself cannot be resolved (ENOTCONN), and
        // /proc/self/mountinfo lists real paths.
        if (mp.getParent() != null) mp = mp.getParent().toRealPath().resolve(mp.getFileName());
        clearStale(mp);
        if (!Files.isDirectory(mp)) throw new NotDirectoryException(mp.toString());
        mp = mp.toRealPath();

        int[] owner = owner();
        java.time.Instant instant = clock.instant();
        long now = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
        ControlTree control = new ControlTree(owner[0], owner[1], now)
                .register(new VersionsTree(workspace))
                .register(new SnapshotsTree(workspace))
                .register(new SearchTree(workspace));
        MountOperations ops = new MountOperations(workspace, options.agent(), control, options.pageCache());
        Fuse3FileSystem fs = new Fuse3FileSystem(ops, clock, cachePolicy(options));
        Mounted mounted = new Mounted(mp, workspace, fs, ops);
        mounted.start(options);
        if (options.blocking()) {
            try {
                mounted.awaitUnmounted();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                mounted.unmount();
            }
        }
        return mounted;
    }

    /** Clears a dead mount (its daemon crashed); refuses a live one. */
    private static void clearStale(Path mp) throws IOException {
        if (!MountTable.isMounted(mp)) return;
        try {
            Files.readAttributes(mp, "unix:ino");
        } catch (IOException deadEndpoint) {
            LOG.info("clearing stale mount on {} ({})", mp, deadEndpoint.getMessage());
            MountTable.fusermountUnmount(mp, true);
            if (MountTable.isMounted(mp)) throw new FileSystemException(mp.toString(), null, "could not clear a stale mount");
            return;
        }
        throw new FileSystemException(mp.toString(), null, "something is already mounted there");
    }

    /** uid and gid of this process: the owner of the virtual .semfs tree. */
    private static int[] owner() {
        try {
            return new int[] {(Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"),
                    (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid")};
        } catch (IOException | UnsupportedOperationException e) {
            return new int[] {0, 0};
        }
    }

    /** One live mount: the serving thread and its teardown. */
    private static final class Mounted implements MountedWorkspace {
        private final Path mountPoint;
        private final Fuse3FileSystem fs;
        private final MountOperations ops;
        private final Arena arena = Arena.ofShared();
        private final CountDownLatch finished = new CountDownLatch(1);
        private boolean detached; // guarded by this
        private volatile Throwable failure;
        private Thread thread;

        private final Workspace workspace;

        Mounted(Path mountPoint, Workspace workspace, Fuse3FileSystem fs, MountOperations ops) {
            this.mountPoint = mountPoint;
            this.workspace = workspace;
            this.fs = fs;
            this.ops = ops;
        }

        @Override
        public java.util.Map<String, Served> served() {
            return fs.served();
        }

        /**
         * fuse_new and fuse_mount here, so a refused option or mount point fails this call; the
         * loop and the teardown (fuse_unmount, fuse_destroy, which calls destroy and so
         * releases leftover handles) on the serving thread, which ends with the loop.
         */
        void start(MountOptions options) throws IOException {
            List<String> argList = new ArrayList<>();
            argList.add("semfs");
            argList.addAll(fuseArgs(options));
            String[] args = argList.toArray(String[]::new);
            MemorySegment fuse = LibFuse3.newFuse(arena, argList, fs.operations(arena));
            if (fuse.address() == 0) {
                arena.close();
                throw new IOException("libfuse refused the options " + String.join(" ", argList));
            }
            if (LibFuse3.mount(fuse, mountPoint.toString()) != 0) {
                LibFuse3.teardown(fuse, true);
                arena.close();
                throw new IOException("fuse_mount failed on " + mountPoint);
            }
            // INIT is answered here, before the loop starts, so as to ask for what libfuse 3.14 cannot.
            boolean killprivV2;
            try {
                killprivV2 = DeviceIo.negotiate(fuse, arena);
            } catch (RuntimeException e) {
                LibFuse3.teardown(fuse, true);
                arena.close();
                throw new IOException("answering the kernel's INIT on " + mountPoint + " failed", e);
            }
            fs.killprivV2(killprivV2);
            if (!killprivV2) LOG.info("no FUSE_HANDLE_KILLPRIV_V2 on {}: every write(2) also costs a getxattr round trip", mountPoint);
            boolean multithreaded = options.multithreaded();
            // Polling needs a non-blocking device; without one, libfuse's own blocking loop.
            long spinNanos = !multithreaded && options.spin().toNanos() > 0 && LibFuse3.readWithoutBlocking(fuse)
                    ? options.spin().toNanos() : 0;
            KernelCache cache = new KernelCache(fuse, mountPoint.toString(), fs, ops);
            fs.kernelCache(cache);
            Runnable stopListening = workspace.onChange(cache);
            thread = new Thread(() -> {
                try {
                    int r = LibFuse3.loop(fuse, multithreaded, spinNanos);
                    if (r != 0) LOG.debug("fuse loop on {} ended with {}", mountPoint, r);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    stopListening.run();
                    // A session a late invalidation may still call into is leaked, not freed.
                    boolean idle = cache.close();
                    try {
                        LibFuse3.teardown(fuse, idle);
                    } catch (Throwable t) {
                        LOG.warn("tearing down the FUSE session on {} failed: {}", mountPoint, t.toString(), t);
                    }
                    ops.releaseAll();
                    if (idle) arena.close();
                    finished.countDown();
                }
            }, "semfs-fuse " + mountPoint);
            thread.setDaemon(true);
            thread.start();
            long deadline = System.nanoTime() + MOUNT_TIMEOUT.toNanos();
            while (!MountTable.isMounted(mountPoint)) {
                if (finished.getCount() == 0) {
                    throw new IOException("mounting " + mountPoint + " failed", failure);
                }
                if (System.nanoTime() > deadline) {
                    MountTable.fusermountUnmount(mountPoint, true);
                    throw new IOException("mounting " + mountPoint + " timed out after " + MOUNT_TIMEOUT);
                }
                sleep(5);
            }
            LOG.info("mounted {} ({})", mountPoint, String.join(" ", args));
        }

        @Override
        public Path mountPoint() {
            return mountPoint;
        }

        @Override
        public boolean isMounted() {
            try {
                return finished.getCount() > 0 && MountTable.isMounted(mountPoint);
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public synchronized void unmount() throws IOException {
            if (finished.getCount() == 0 || detached) return;
            if (!MountTable.isMounted(mountPoint)) {
                detached = true; // unmounted from outside (fusermount -u): the loop is ending
                waitFinished();
                return;
            }
            if (MountTable.fusermountUnmount(mountPoint, false) == 0 || !MountTable.isMounted(mountPoint)) {
                detached = true;
                waitFinished();
                return;
            }
            // Busy (a process holds a file or its working directory here): detach now.
            LOG.info("{} is busy, unmounting lazily", mountPoint);
            if (MountTable.fusermountUnmount(mountPoint, true) != 0 && MountTable.isMounted(mountPoint)) {
                throw new FileSystemException(mountPoint.toString(), null, "fusermount -u failed");
            }
            detached = true;
            if (!awaitQuietly(BUSY_GRACE)) {
                // The kernel keeps serving processes that still hold files until they close
                // them, and libfuse cannot be stopped meanwhile. Release their handles now so
                // their writes are cut as versions; the loop ends when the last one leaves.
                LOG.warn("{}: files still open {} after a lazy unmount; releasing their handles", mountPoint, BUSY_GRACE);
                ops.releaseAll();
            }
        }

        private boolean awaitQuietly(Duration d) throws IOException {
            try {
                return finished.await(d.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while unmounting " + mountPoint, e);
            }
        }

        private void waitFinished() throws IOException {
            try {
                if (!finished.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("the FUSE loop on " + mountPoint + " did not stop");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while unmounting " + mountPoint, e);
            }
        }

        @Override
        public void awaitUnmounted() throws InterruptedException {
            finished.await();
        }

        @Override
        public boolean awaitUnmounted(Duration timeout) throws InterruptedException {
            return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        private static void sleep(long millis) throws IOException {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while mounting", e);
            }
        }
    }
}
