package dev.semfs.agents;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An agent identity as stored: name, creation time, the admin flag and its path rules. The token
 * is never part of it; only a salted hash of it is stored.
 *
 * @param createdNanos nanoseconds since the epoch
 * @param admin        may run workspace-wide operations (snapshot, status, gc) and read the whole audit trail
 * @param rules        path prefix to right; the most specific prefix covering a path decides
 * @param hasToken     whether a token was issued (the built-in owner has none until one is issued)
 */
public record Agent(String name, long createdNanos, boolean admin, SortedMap<String, Right> rules, boolean hasToken) {
    public Agent {
        rules = Collections.unmodifiableSortedMap(new TreeMap<>(rules));
    }
}
