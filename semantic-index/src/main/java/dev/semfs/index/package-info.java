/**
 * The semantic index of semfs: files split into passages, embedded (HNSW kNN on Lucene) and
 * analysed for BM25, searched by meaning, by exact terms, or both.
 *
 * <p>Entry points: {@link dev.semfs.index.SemanticIndex#open} with an
 * {@link dev.semfs.index.Embedder} from {@link dev.semfs.index.Embedders} (the offline
 * all-MiniLM-L6-v2 default, or an OpenAI-compatible endpoint). Feed it with
 * {@code upsert/delete/move} keyed by inode and {@code commit(seq)}; query it with
 * {@link dev.semfs.index.SearchRequest}. The evaluation and benchmark mains are in
 * {@code dev.semfs.index.eval}.
 */
package dev.semfs.index;
