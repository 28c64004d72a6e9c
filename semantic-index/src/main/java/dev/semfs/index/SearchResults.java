package dev.semfs.index;

import java.util.List;

/**
 * Files best first.
 *
 * @param keywordMatches in KEYWORD mode, how many files match the query in total (all of them
 *     are reachable with a larger k); -1 in the other modes
 * @param matchesExact false when {@code keywordMatches} is a lower bound (counting stops at
 *     1,000 matches, as a full count of a broad query costs as much as the search)
 */
public record SearchResults(List<SearchHit> hits, long keywordMatches, boolean matchesExact) {
    public SearchResults {
        hits = List.copyOf(hits);
    }
}
