package dev.semfs.index;

/**
 * One file in a result list, with the passage that matched best.
 *
 * @param score the fused (HYBRID), cosine similarity of the best passage (SEMANTIC) or BM25
 *     (KEYWORD) score; only the order is comparable across modes
 * @param version the version that was indexed; a caller compares it with the store's head to
 *     report a stale result
 */
public record SearchHit(long ino, String path, long version, ContentType type, long size, long mtimeMillis,
                        String author, double score, Snippet snippet) {

    /**
     * The best passage of the file.
     *
     * @param start first byte of the passage (inclusive)
     * @param end byte after the passage (exclusive)
     * @param inSource true when the range is in the file's own bytes; false when it is in the
     *     UTF-8 text extracted from it (HTML, PDF, Office)
     */
    public record Snippet(String text, long start, long end, boolean inSource) {
    }
}
