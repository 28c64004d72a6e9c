package dev.semfs.index;

import java.io.IOException;
import java.util.List;

/**
 * Turns text into unit-length vectors. Implementations must be thread-safe: the index calls
 * {@link #embedPassages} from several worker threads at once and {@link #embedQuery} from
 * searching threads.
 */
public interface Embedder extends AutoCloseable {
    ModelInfo model();

    /** One vector per text, in order; each of length {@code model().dimension()}. */
    List<float[]> embedPassages(List<String> texts) throws IOException;

    /** The vector of a search query (some models embed queries differently from passages). */
    float[] embedQuery(String query) throws IOException;

    /** How many texts this embedder has sent to its model since it was created (for tests, stats). */
    long embeddedCount();

    @Override
    default void close() {
    }
}
