package dev.semfs.agents;

import java.util.Locale;

/**
 * What an agent may do below a path prefix. Ordered: each right includes the ones before it
 * ({@link #WRITE} includes reading).
 */
public enum Right {
    /** Neither content nor metadata; the path is left out of listings and change feeds. */
    NONE,
    /** Read content, metadata, versions, diffs, snapshots and change entries. */
    READ,
    /** Everything {@link #READ} allows, plus create, change, move, remove, roll back. */
    WRITE;

    public boolean allows(Right needed) {
        return compareTo(needed) >= 0;
    }

    /** Parses "none", "read" or "write" (any case). */
    public static Right parse(String s) {
        if (s != null) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "none" -> { return NONE; }
                case "read" -> { return READ; }
                case "write" -> { return WRITE; }
                default -> { }
            }
        }
        throw new IllegalArgumentException("a right is one of: read, write, none (got " + s + ")");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
