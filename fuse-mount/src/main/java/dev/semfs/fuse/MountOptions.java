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
 * @param multithreaded  serve requests on several libfuse threads at once; see
 *                       docs in fuse-mount/README.md for the measurements behind the default
 */
public record MountOptions(String agent, boolean allowOther, boolean blocking, boolean debug, boolean multithreaded) {

    public MountOptions {
        Objects.requireNonNull(agent, "agent");
        if (agent.isBlank()) throw new IllegalArgumentException("agent name is blank");
    }

    /** Defaults: not shared with other users, non-blocking, no debug output, single-threaded. */
    public static MountOptions forAgent(String agent) {
        return new MountOptions(agent, false, false, false, false);
    }

    public MountOptions withAllowOther(boolean allowOther) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded);
    }

    public MountOptions withBlocking(boolean blocking) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded);
    }

    public MountOptions withDebug(boolean debug) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded);
    }

    public MountOptions withMultithreaded(boolean multithreaded) {
        return new MountOptions(agent, allowOther, blocking, debug, multithreaded);
    }
}
