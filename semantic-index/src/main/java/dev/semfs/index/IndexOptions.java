package dev.semfs.index;

/**
 * How an index is opened.
 *
 * @param onModelChange what to do when the index on disk was built with another model
 * @param workers threads for text extraction and embedding; 0 means one per available processor
 * @param vectorCacheSize recently embedded passages whose vectors are kept in memory, so a file
 *     deleted and re-created with the same text (an editor's save-by-rename) is not embedded again
 */
public record IndexOptions(OnModelChange onModelChange, int workers, int vectorCacheSize) {
    public static final IndexOptions DEFAULT = new IndexOptions(OnModelChange.FAIL, 0, 20_000);

    public IndexOptions {
        if (workers < 0 || vectorCacheSize < 0) {
            throw new IllegalArgumentException("workers and vectorCacheSize must not be negative");
        }
    }

    public IndexOptions withOnModelChange(OnModelChange m) {
        return new IndexOptions(m, workers, vectorCacheSize);
    }

    public IndexOptions withWorkers(int n) {
        return new IndexOptions(onModelChange, n, vectorCacheSize);
    }

    public int effectiveWorkers() {
        return workers > 0 ? workers : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public enum OnModelChange {
        /** Throw {@link ModelMismatchException}; the index is left untouched. */
        FAIL,
        /** Delete everything and start empty with applied sequence 0, so the feeder re-feeds all files. */
        RESET
    }
}
