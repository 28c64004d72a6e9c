package dev.semfs.syscalls;

import java.util.Objects;

/**
 * Who performs an operation: the agent (for permissions and the audit trail), the POSIX uid/gid
 * of the process when the call comes through the mount, and the front end it came through.
 * Passed explicitly with every call; there is no ambient identity.
 *
 * @param agent agent name, never blank
 * @param uid   POSIX user id of the calling process, or -1 when not known
 * @param gid   POSIX group id of the calling process, or -1 when not known
 * @param via   front end that made the call ("cli", "fuse", "mcp", "api"), for the audit trail
 */
public record Caller(String agent, int uid, int gid, String via) {
    public static final String OWNER = "owner";

    public Caller {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(via, "via");
        if (agent.isBlank()) throw new IllegalArgumentException("agent name is blank");
    }

    public static Caller of(String agent, String via) {
        return new Caller(agent, -1, -1, via);
    }

    /** The default owner of a single-user workspace, calling through the core API. */
    public static Caller owner() {
        return new Caller(OWNER, -1, -1, "api");
    }
}
