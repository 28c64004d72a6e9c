package dev.semfs.index;

import java.util.List;

/**
 * Files best first.
 *
 * @param keywordMatches in KEYWORD mode, how many files match the query in total (all of them
 *     are reachable with a larger k); -1 in the other modes
 */
public record SearchResults(List<SearchHit> hits, long keywordMatches) {
    public SearchResults {
        hits = List.copyOf(hits);
    }
}
