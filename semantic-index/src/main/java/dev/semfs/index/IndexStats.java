package dev.semfs.index;

/**
 * A snapshot of the index's size and activity.
 *
 * @param files indexed files
 * @param passages indexed passages (each carries one vector)
 * @param model the model the index's vectors come from
 * @param appliedSeq the durable applied sequence number (see {@link SemanticIndex#commit})
 * @param embedded passages sent to the model since this index was opened
 * @param reused passages whose vector was reused (same text seen before) since it was opened
 * @param sizeBytes bytes of the index on disk
 */
public record IndexStats(long files, long passages, ModelInfo model, long appliedSeq, long embedded, long reused,
                         long sizeBytes) {
}
