package dev.semfs.syscalls;

import java.util.List;

/**
 * Files matching a search, best first.
 *
 * @param indexLag change-log entries not yet in the index when the search ran (0: fully fresh)
 */
public record SearchResult(List<Hit> results, long indexLag, String model) {
    /**
     * @param version the path's version number the indexed content is (as in {@code semfs log})
     * @param stale   true when the file changed after it was indexed
     * @param start   first byte of the snippet in the file (or in its extracted text)
     */
    public record Hit(String path, double score, String snippet, long version, boolean stale, long start, long end) {}
}
