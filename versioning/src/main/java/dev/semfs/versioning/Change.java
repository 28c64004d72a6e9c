package dev.semfs.versioning;

import java.util.Objects;

/**
 * Why a mutation happens and who does it; recorded in the change log (audit trail, change feed,
 * index queue) in the same atomic batch as the mutation itself.
 *
 * @param agent  acting agent
 * @param via    front end ("fuse", "cli", "mcp", "api")
 * @param reason free text ("close", "rollback to 3", ...); may be empty
 * @param path   workspace path the mutation is about, as the caller named it
 * @param toPath second path (rename/link target), or null
 */
public record Change(String agent, String via, String reason, String path, String toPath) {
    public Change {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(via, "via");
        reason = reason == null ? "" : reason;
    }

    public static Change of(String agent, String path) {
        return new Change(agent, "api", "", path, null);
    }

    public Change withReason(String newReason) {
        return new Change(agent, via, newReason, path, toPath);
    }

    public Change withPath(String newPath) {
        return new Change(agent, via, reason, newPath, toPath);
    }
}
