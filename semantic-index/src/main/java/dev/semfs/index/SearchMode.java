package dev.semfs.index;

/** How a query is matched. */
public enum SearchMode {
    /** BM25 and vector similarity, fused by weighted reciprocal rank. The default. */
    HYBRID,
    /** Vector similarity of the query's embedding to passage embeddings only. */
    SEMANTIC,
    /**
     * Exact terms and "quoted phrases", combined with AND (implicit between terms), OR and NOT, and
     * parentheses; every file containing them matches (terms are compared after lower-casing and
     * English stemming, on the same analysis as the indexed text, so a file is never missed).
     * A blank query matches every file that passes the filters.
     */
    KEYWORD
}
