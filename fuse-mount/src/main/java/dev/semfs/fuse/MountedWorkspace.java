package dev.semfs.fuse;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A workspace mounted as a directory. It does not own the {@link dev.semfs.syscalls.Workspace}:
 * closing the mount leaves the workspace open, and the caller closes it after unmounting.
 *
 * <p>The serving threads are daemon threads: a mount does not keep the JVM alive by itself, so a
 * foreground daemon calls {@link #awaitUnmounted()}. Thread-safe; {@link #unmount} is idempotent.
 */
public interface MountedWorkspace extends AutoCloseable {

    Path mountPoint();

    /** True while the kernel has the file system mounted and this process serves it. */
    boolean isMounted();

    /**
     * Unmounts, waits for the serving thread to finish and releases every handle still open,
     * which cuts their versions. Does nothing when already unmounted. When the mount is busy (a
     * process holds a file or its working directory there) it is unmounted lazily: the mount
     * point is free at once, and if files are still open after a short grace period their
     * handles are released (versions cut; those processes then get EBADF) and this method
     * returns while the kernel connection lingers until they close; {@link #awaitUnmounted()}
     * waits for that end.
     *
     * @throws IOException when the kernel mount could not be removed
     */
    void unmount() throws IOException;

    /** Blocks until the file system is unmounted by anyone (this API, fusermount -u, umount). */
    void awaitUnmounted() throws InterruptedException;

    /** As {@link #awaitUnmounted()}, giving up after {@code timeout}; true when unmounted. */
    boolean awaitUnmounted(Duration timeout) throws InterruptedException;

    /**
     * The kernel's requests this mount has served so far, by callback ({@code getattr},
     * {@code read}, {@code getxattr}, ...): how many, and the time spent answering them in this
     * process. What the kernel answered from its own caches never shows here.
     */
    Map<String, Served> served();

    /** {@code count} requests of one kind, answered in {@code nanos} in all. */
    record Served(long count, long nanos) {}

    @Override
    default void close() throws IOException {
        unmount();
    }
}
