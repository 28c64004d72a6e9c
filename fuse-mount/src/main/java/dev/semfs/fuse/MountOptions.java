package dev.semfs.fuse;

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
 */
public record MountOptions(String agent, boolean allowOther, boolean blocking, boolean debug, boolean multithreaded,
                           boolean pageCache) {

    public MountOptions {
        Objects.requireNonNull(agent, "agent");
        if (agent.isBlank()) throw new IllegalArgumentException("agent name is blank");
    }

    /** Defaults: not shared with other users, non-blocking, no debug output, single-threaded, page cache. */
    public static MountOptions forAgent(String agent) {
        return new MountOptions(agent, false, false, false, false, true);
    }

    public MountOptions withAllowOther(boolean allowOther) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded, pageCache);
    }

    public MountOptions withBlocking(boolean blocking) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded, pageCache);
    }

    public MountOptions withDebug(boolean debug) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded, pageCache);
    }

    public MountOptions withMultithreaded(boolean multithreaded) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded, pageCache);
    }

    public MountOptions withPageCache(boolean pageCache) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded, pageCache);
    }
}
