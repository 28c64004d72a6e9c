package dev.semfs.syscalls;

import java.util.List;

/**
 * An agent: name, creation time (nanoseconds since the epoch, 0 for the built-in owner), whether
 * it is an admin, whether it has a token, and its path rules sorted by prefix.
 */
public record AgentInfo(String name, long createdNanos, boolean admin, boolean hasToken, List<Rule> rules) {
    /** @param right "read", "write" or "none" */
    public record Rule(String pathPrefix, String right) {}
}
