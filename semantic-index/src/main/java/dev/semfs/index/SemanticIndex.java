package dev.semfs.index;

import dev.semfs.index.internal.LuceneSemanticIndex;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The derived, rebuildable search index of a workspace: files split into passages, each embedded
 * (HNSW kNN) and analysed for BM25, searched in {@link SearchMode hybrid, semantic or keyword}
 * mode with filters applied inside the search.
 *
 * <p><b>Feeding.</b> Every mutation is idempotent and keyed by inode: {@link #upsert} replaces all
 * the index holds for an inode, {@link #delete} removes it, {@link #move} changes its path without
 * embedding anything again. A feeder applies changes in order, then calls {@link #commit(long)}
 * with the sequence number of the last change applied; after a crash {@link #appliedSeq()} says
 * where to resume (changes after it may or may not be in the index; replaying them is harmless).
 * Identical passage text is never embedded twice while a copy of it is in the index (or in the
 * recent-vector cache), so re-upserting an unchanged file, or a renamed copy, costs no embedding.
 *
 * <p><b>Visibility.</b> A search sees every mutation that returned before it started, committed
 * or not. Durability comes only with {@link #commit(long)}.
 *
 * <p><b>Threading.</b> Implementations are thread-safe: mutations of different inodes run in
 * parallel, mutations of one inode are serialised, searches never block on mutations.
 */
public interface SemanticIndex extends Closeable {

    /**
     * Opens (or creates) the index in {@code dir}, for vectors of {@code embedder}'s model. The
     * embedder stays owned by the caller.
     *
     * @throws ModelMismatchException if the index holds another model's vectors and
     *     {@code options.onModelChange()} is FAIL
     * @throws IOException if the directory cannot be read or written, or is locked by another writer
     */
    static SemanticIndex open(Path dir, Embedder embedder, IndexOptions options) throws IOException {
        return LuceneSemanticIndex.open(dir, embedder, options);
    }

    /** The model recorded in the index at {@code dir}, if an index exists there. */
    static Optional<ModelInfo> storedModel(Path dir) throws IOException {
        return LuceneSemanticIndex.storedModel(dir);
    }

    /** Indexes one file version, replacing what the index held for its inode. */
    default void upsert(IndexDocument doc) throws IOException {
        upsertAll(List.of(doc));
    }

    /**
     * Indexes several file versions; text extraction and embedding run on the index's worker
     * pool, batched across the documents. A later document for the same inode wins.
     */
    void upsertAll(List<IndexDocument> docs) throws IOException;

    /** Removes an inode. Returns whether the index held it. */
    boolean delete(long ino) throws IOException;

    /**
     * Changes an inode's path, keeping its vectors (no embedding). Returns false if the index does
     * not hold the inode (the caller should then upsert it).
     */
    boolean move(long ino, String newPath) throws IOException;

    /**
     * Re-roots every indexed file below directory {@code fromDir} to below {@code toDir} (a
     * directory rename), without embedding. Returns how many files moved.
     */
    int moveTree(String fromDir, String toDir) throws IOException;

    /** Searches; see {@link SearchRequest} and {@link SearchMode}. */
    SearchResults search(SearchRequest request) throws IOException;

    /**
     * Makes every mutation so far durable, together with {@code appliedSeq} (stored in the Lucene
     * commit's user data). Sequence numbers should not go backwards; a smaller one is stored as given.
     */
    void commit(long appliedSeq) throws IOException;

    /** The sequence number of the last durable {@link #commit(long)}; 0 for a new (or reset) index. */
    long appliedSeq();

    /** Whether the index holds {@code ino}, and at which version (empty if not). */
    Optional<Long> indexedVersion(long ino) throws IOException;

    IndexStats stats() throws IOException;

    ModelInfo model();

    /** Deletes every document (a full re-index follows); the applied sequence becomes 0 at the next commit. */
    void clear() throws IOException;
}
