package dev.semfs.syscalls;

import dev.semfs.index.Embedder;
import dev.semfs.index.Embedders;
import java.io.IOException;

/**
 * Whether and how a workspace keeps its semantic index. The index lives in the store directory
 * ({@code index/}) and is derived state: it catches up from the store's change log whenever it
 * is opened, so a workspace used without it (a quick `semfs ls`) loses nothing.
 *
 * @param enabled    keep an index at all
 * @param background index in a background thread as changes happen (a daemon); otherwise the
 *                   index catches up when a search needs it
 * @param embedder   how to get the embedding model, loaded on first use
 */
public record IndexSetup(boolean enabled, boolean background, EmbedderFactory embedder) {
    @FunctionalInterface
    public interface EmbedderFactory {
        Embedder create() throws IOException;
    }

    public static IndexSetup none() {
        return new IndexSetup(false, false, null);
    }

    /** The offline default model, loaded lazily; catch up on demand. */
    public static IndexSetup onDemand() {
        return new IndexSetup(true, false, Embedders::defaultModel);
    }

    /** The offline default model, indexing continuously in the background. */
    public static IndexSetup continuous() {
        return new IndexSetup(true, true, Embedders::defaultModel);
    }

    public IndexSetup withEmbedder(EmbedderFactory f) {
        return new IndexSetup(enabled, background, f);
    }

    public IndexSetup withBackground(boolean b) {
        return new IndexSetup(enabled, b, embedder);
    }
}
