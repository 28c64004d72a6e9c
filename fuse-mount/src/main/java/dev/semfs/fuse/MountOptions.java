package dev.semfs.fuse;

import java.time.Duration;
import java.util.Objects;

/**
 * How to mount a workspace.
 *
 * @param agent          the agent every operation through this mount acts as (one mount per
 *                       agent); the calling process's uid/gid come from the FUSE request
 * @param allowOther     let users other than the one who mounted reach the mount (FUSE
 *                       {@code allow_other}; a non-root user needs {@code user_allow_other} in
 *                       /etc/fuse.conf). The kernel still enforces owner/group/mode.
 * @param blocking       {@link Mounter#mount} returns only once the file system is unmounted
 *                       (by {@link MountedWorkspace#unmount}, {@code fusermount -u} or a signal)
 * @param debug          libfuse debug output on stderr (every request)
 * @param multithreaded  serve requests on several libfuse threads at once. Off by default: the
 *                       kernel's attribute cache then has to be given up (every stat is a round
 *                       trip), since libfuse takes the attribute timeout of each reply from one
 *                       shared setting; see fuse-mount/README.md, "Threading"
 * @param pageCache      let the kernel cache file pages (readahead, reads served from memory,
 *                       kept across opens; every change made by another route invalidates the
 *                       pages it replaced before that change returns). On by default; off,
 *                       every read and write goes to the core (direct I/O), which costs reads
 *                       most of their speed (see docs/benchmarks.md) and is only for debugging
 * @param spin           how long the serving thread keeps polling for the next request after
 *                       answering one, before it blocks (single-threaded loop only; zero: block
 *                       at once). A blocked thread lets its CPU go idle, and on a VM that halts
 *                       idle vCPUs waking it again cost more than the request (a round trip
 *                       took three times as long); the spin costs CPU only while requests keep
 *                       coming. Default {@link #DEFAULT_SPIN}; see fuse-mount/README.md, "Threading"
 */
public record MountOptions(String agent, boolean allowOther, boolean blocking, boolean debug, boolean multithreaded,
                           boolean pageCache, Duration spin) {

    public static final Duration DEFAULT_SPIN = Duration.ofNanos(50_000);

    public MountOptions {
        Objects.requireNonNull(agent, "agent");
        if (agent.isBlank()) throw new IllegalArgumentException("agent name is blank");
        Objects.requireNonNull(spin, "spin");
        if (spin.isNegative() || spin.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("spin must be between 0 and 1 s: " + spin);
        }
    }

    /** Defaults: not shared with other users, non-blocking, no debug output, single-threaded, page cache, {@link #DEFAULT_SPIN}. */
    public static MountOptions forAgent(String agent) {
        return new MountOptions(agent, false, false, false, false, true, DEFAULT_SPIN);
    }

    public MountOptions withSpin(Duration spin) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded, pageCache, spin);
    }

    public MountOptions withAllowOther(boolean allowOther) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded, pageCache, spin);
    }

    public MountOptions withBlocking(boolean blocking) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded, pageCache, spin);
    }

    public MountOptions withDebug(boolean debug) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded, pageCache, spin);
    }

    public MountOptions withMultithreaded(boolean multithreaded) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded, pageCache, spin);
    }

    public MountOptions withPageCache(boolean pageCache) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded, pageCache, spin);
    }
}
