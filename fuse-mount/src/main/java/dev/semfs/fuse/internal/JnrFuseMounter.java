package dev.semfs.fuse.internal;

import dev.semfs.fuse.MountOptions;
import dev.semfs.fuse.MountedWorkspace;
import dev.semfs.fuse.Mounter;
import dev.semfs.syscalls.Workspace;
import java.io.IOException;
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
 * Mounts through jnr-fuse on libfuse 2. libfuse's loop runs on a daemon thread of ours in
 * blocking mode (jnr-fuse's own non-blocking mode just sleeps two seconds and hopes); the mount
 * is reported once /proc/self/mountinfo shows it.
 *
 * <p>libfuse options, and why:
 * <ul>
 *   <li>{@code default_permissions}: the kernel enforces owner/group/mode/sticky bits from our
 *       getattr, so the adapter does not re-implement POSIX permission checks;
 *   <li>{@code use_ino}: st_ino is the core's inode number, so hard links show as such;
 *   <li>no {@code hard_remove}: libfuse hides an open file on unlink, which
 *       {@link MountOperations} maps back to a real unlink in the core (see there), so that
 *       fstat(2) on a descriptor of an unlinked file keeps working;
 *   <li>{@code atomic_o_trunc}: open(O_TRUNC) reaches the core as one Open with truncate, not
 *       a separate truncate (which would cut an extra, empty version) before the open;
 *   <li>{@code big_writes,max_write=131072}: 128 KiB writes instead of 4 KiB ones;
 *   <li>{@code attr_timeout=0,entry_timeout=0,negative_timeout=0}, direct I/O per open file
 *       (unless {@link MountOptions#pageCache()}) and no {@code kernel_cache}: a rollback or write
 *       through another front end (CLI, MCP) or another hard link shows at the next stat or
 *       read, never from a stale kernel cache. See fuse-mount/README.md for the price;
 *   <li>{@code auto_unmount}: fusermount removes the mount when this process dies, even by
 *       kill -9, so a crash leaves no "Transport endpoint is not connected" behind;
 *   <li>{@code -s} unless multithreaded (see {@link MountOptions#multithreaded()}).
 * </ul>
 */
public final class JnrFuseMounter implements Mounter {
    private static final Logger LOG = LoggerFactory.getLogger(JnrFuseMounter.class);
    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(20);
    /** How long an unmount of a busy mount waits for the last open file to close. */
    private static final Duration BUSY_GRACE = Duration.ofSeconds(3);

    private final Clock clock;

    private JnrFuseMounter(Clock clock) {
        this.clock = clock;
    }

    public static JnrFuseMounter create() {
        return new JnrFuseMounter(Clock.systemUTC());
    }

    /** The libfuse arguments after the mount point. */
    static List<String> fuseArgs(MountOptions options) {
        List<String> o = new ArrayList<>(List.of("fsname=semfs", "subtype=semfs", "default_permissions", "use_ino",
                "atomic_o_trunc", "big_writes", "max_write=131072", "attr_timeout=0", "entry_timeout=0",
                "negative_timeout=0", "auto_unmount"));
        if (options.allowOther()) o.add("allow_other");
        List<String> args = new ArrayList<>(List.of("-o", String.join(",", o)));
        if (!options.multithreaded()) args.add("-s");
        return args;
    }

    @Override
    public MountedWorkspace mount(Workspace workspace, Path mountPoint, MountOptions options) throws IOException {
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
        JnrFuseFileSystem fs = new JnrFuseFileSystem(ops, clock);
        Mounted mounted = new Mounted(mp, fs, ops);
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
        private final JnrFuseFileSystem fs;
        private final MountOperations ops;
        private final CountDownLatch finished = new CountDownLatch(1);
        private boolean detached; // guarded by this
        private volatile Throwable failure;
        private Thread thread;

        Mounted(Path mountPoint, JnrFuseFileSystem fs, MountOperations ops) {
            this.mountPoint = mountPoint;
            this.fs = fs;
            this.ops = ops;
        }

        void start(MountOptions options) throws IOException {
            String[] args = fuseArgs(options).toArray(String[]::new);
            thread = new Thread(() -> {
                try {
                    fs.mount(mountPoint, true, options.debug(), args);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    ops.releaseAll();
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
