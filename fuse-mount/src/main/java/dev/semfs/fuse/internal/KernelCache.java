package dev.semfs.fuse.internal;

import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.ChangeListener;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the kernel's caches of one mount (dentries, attributes, pages; see fuse-mount/README.md,
 * "Cache consistency") true to the workspace: told of every committed change in the process, it
 * invalidates what the kernel may hold for the changed paths.
 *
 * <ul>
 *   <li>A change by anyone else (the CLI or daemon socket, MCP, the core API, another mount of
 *       the workspace): the attributes of the node and of its directory; its pages
 *       (fuse_invalidate_path, by libfuse's own name table); and the dentry, expired rather than
 *       dropped so that a process whose working directory it is keeps a valid cwd.
 *   <li>A change by this mount's own request: the kernel updated the node the request was for,
 *       but libfuse gives each hard link a node of its own, so the attributes of every name of a
 *       file with several links are invalidated.
 * </ul>
 *
 * <p>Attributes are dropped at once on the changing thread: by node id found in the dentry
 * cache, which sends no request and waits for no page lock, so even a loop thread may do it.
 * Pages and dentries go on a thread of this mount's own, because the kernel may wait there for a
 * page lock or a directory lock held by a request queued on some mount's loop. A thread that
 * serves no FUSE request (CLI, daemon socket, MCP, core API) waits for that too, so the change is
 * complete in the kernel before its call returns; a loop thread waits at most
 * {@link #LOOP_WAIT_MILLIS} (it could wait on a request queued behind itself), so when a read of
 * the same file is under way at that moment another name or mount sees new attributes at once
 * and new content a moment later.
 */
final class KernelCache implements ChangeListener {
    private static final Logger LOG = LoggerFactory.getLogger(KernelCache.class);
    private static final long WAIT_SECONDS = 10;

    /**
     * How long a loop thread waits for the invalidation it caused. The kernel holds a page
     * locked while a read of it waits for its reply, so invalidating those pages can wait for a
     * request queued behind this very thread; in that case (a read under way at the moment of
     * the change, whose order against the change is open anyway) the reply goes out after this
     * bound and the pages follow once the read is served. Otherwise the invalidation is over
     * in microseconds and the change is complete in the kernel before its request returns.
     */
    private static final long LOOP_WAIT_MILLIS = 50;
    private static final boolean TRACE = System.getenv("SEMFS_FUSE_TRACE") != null;

    private final MemorySegment fuse;
    private final String mountPoint;
    private final Fuse3FileSystem fs;
    private final MountOperations ops;
    private final ExecutorService worker;
    private volatile boolean closed;

    KernelCache(MemorySegment fuse, String mountPoint, Fuse3FileSystem fs, MountOperations ops) {
        this.fuse = fuse;
        this.mountPoint = mountPoint;
        this.fs = fs;
        this.ops = ops;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "semfs-fuse-invalidate " + mountPoint);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Calls into the session under way (on changing threads and the worker): {@link #close}
     * waits for them, since the session is destroyed right after it returns.
     */
    private final AtomicInteger inFlight = new AtomicInteger();

    /** Runs {@code work} unless closed, counted as a call into the session under way. */
    private void whileOpen(Runnable work) {
        inFlight.incrementAndGet();
        try {
            if (!closed) work.run();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void changed(Caller caller, List<String> paths) {
        whileOpen(() -> invalidateFor(paths));
    }

    private void invalidateFor(List<String> paths) {
        boolean own = fs.servingOnThisThread();
        Set<String> nodes = new LinkedHashSet<>();
        Set<String> entries = new LinkedHashSet<>();
        for (String p : paths) {
            if (p == null || ControlTree.owns(p)) continue;
            if (!own) {
                nodes.add(p);
                if (!p.equals("/")) {
                    entries.add(p);
                    nodes.add(parent(p));
                }
            }
            nodes.addAll(ops.otherLinks(p));
        }
        if (nodes.isEmpty()) return;
        for (String p : nodes) dropAttributes(p);
        Future<?> done;
        try {
            done = worker.submit(() -> invalidate(nodes, entries));
        } catch (RejectedExecutionException e) {
            return; // unmounting
        }
        try {
            if (Fuse3FileSystem.onLoopThread()) {
                done.get(LOOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                done.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (TimeoutException e) {
            if (!Fuse3FileSystem.onLoopThread()) {
                LOG.warn("{}: invalidating {} took over {} s; going on without waiting", mountPoint, nodes, WAIT_SECONDS);
            } else if (TRACE) {
                System.err.println("invalidate " + mountPoint + nodes + ": not waiting longer on a loop thread");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("{}: invalidating {} failed: {}", mountPoint, nodes, e.getCause().toString(), e.getCause());
        }
    }

    /**
     * Drops the kernel's cached attributes of {@code path} after a change the serving request's
     * reply does not tell the kernel of (set-ID bits cleared on a write); safe on a loop thread.
     */
    void attributesChanged(String path) {
        whileOpen(() -> dropAttributes(path));
    }

    /** By node id found in the dentry cache: sends no request, waits for no page lock. */
    private void dropAttributes(String path) {
        long id = path.equals("/") ? 1 : LibFuse3.cachedNodeIdOf(mountPoint + path);
        if (id > 0) LibFuse3.invalidateAttributes(fuse, id);
    }

    private static String parent(String p) {
        int slash = p.lastIndexOf('/');
        return slash == 0 ? "/" : p.substring(0, slash);
    }

    private void invalidate(Set<String> nodes, Set<String> entries) {
        whileOpen(() -> invalidateNow(nodes, entries));
    }

    private void invalidateNow(Set<String> nodes, Set<String> entries) {
        for (String p : nodes) {
            int r = LibFuse3.invalidatePath(fuse, p);
            if (TRACE) System.err.println("invalidate " + mountPoint + p + " -> " + r);
        }
        for (String p : entries) {
            String parent = parent(p);
            long parentId = parent.equals("/") ? 1 : LibFuse3.nodeIdOf(mountPoint + parent);
            int r = parentId > 0 ? LibFuse3.expireEntry(fuse, parentId, p.substring(p.lastIndexOf('/') + 1)) : 0;
            if (TRACE) System.err.println("expire " + mountPoint + p + " in node " + parentId + " -> " + r);
        }
    }

    /**
     * Stops invalidating and waits for calls into the session under way, before the session
     * goes away. False when some did not end in time: the caller must then not destroy it.
     */
    boolean close() {
        closed = true;
        worker.shutdown();
        try {
            worker.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
            // A changing thread may be inside changed() still (it checked closed just before).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean idle = worker.isTerminated() && inFlight.get() == 0;
        if (!idle) LOG.warn("{}: cache invalidations still under way after {} s; the FUSE session is left alive", mountPoint, WAIT_SECONDS);
        return idle;
    }
}
