package dev.semfs.versioning;

import java.time.Duration;

/**
 * Which versions garbage collection may drop. The newest version of every node, and every
 * version a snapshot refers to, are always kept.
 *
 * <ul>
 *   <li>{@code keepAll()}: nothing is dropped (the default);</li>
 *   <li>{@code keepLast(n)}: the newest n versions per node;</li>
 *   <li>{@code keepFor(d)}: versions younger than d;</li>
 *   <li>{@code thinned()}: everything from the last day, one per hour for a week, one per day
 *       for a month, one per week after that.</li>
 * </ul>
 */
public sealed interface RetentionPolicy {
    record KeepAll() implements RetentionPolicy {}
    record KeepLast(int versions) implements RetentionPolicy {
        public KeepLast { if (versions < 1) throw new IllegalArgumentException("keep at least 1 version"); }
    }
    record KeepFor(Duration age) implements RetentionPolicy {
        public KeepFor { if (age.isNegative()) throw new IllegalArgumentException("negative age"); }
    }
    record Thinned() implements RetentionPolicy {}

    static RetentionPolicy keepAll() { return new KeepAll(); }
    static RetentionPolicy keepLast(int n) { return new KeepLast(n); }
    static RetentionPolicy keepFor(Duration d) { return new KeepFor(d); }
    static RetentionPolicy thinned() { return new Thinned(); }

    /** Parses "all", "last:N", "days:D" or "thinned", the form used in configuration and the CLI. */
    static RetentionPolicy parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("all")) return keepAll();
        if (t.equals("thinned")) return thinned();
        if (t.startsWith("last:")) return keepLast(Integer.parseInt(t.substring(5)));
        if (t.startsWith("days:")) return keepFor(Duration.ofDays(Long.parseLong(t.substring(5))));
        throw new IllegalArgumentException("retention must be all, last:N, days:D or thinned, not '" + text + "'");
    }
}
