package dev.semfs.agents;

/**
 * Which audit entries to return. Null fields do not filter.
 *
 * @param pathPrefix entries whose path or second path is at or below this prefix
 * @param agent      entries by this agent
 * @param sinceNanos entries at or after this time (nanoseconds since the epoch)
 * @param untilNanos entries before this time
 * @param afterSeq   entries after this change-log sequence number (for paging; 0 from the start)
 * @param max        at most this many entries (1..10000; 0 or less means 100)
 */
public record AuditQuery(String pathPrefix, String agent, Long sinceNanos, Long untilNanos, long afterSeq, int max) {
    public static final int DEFAULT_MAX = 100;
    public static final int LIMIT = 10_000;

    public int limit() {
        return max <= 0 ? DEFAULT_MAX : Math.min(max, LIMIT);
    }
}
