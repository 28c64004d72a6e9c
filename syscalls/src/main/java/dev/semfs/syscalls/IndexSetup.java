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

    /** The configured model ({@link #fromEnvironment}), loaded lazily; catch up on demand. */
    public static IndexSetup onDemand() {
        return new IndexSetup(true, false, fromEnvironment(System.getenv()));
    }

    /** The configured model ({@link #fromEnvironment}), indexing continuously in the background. */
    public static IndexSetup continuous() {
        return new IndexSetup(true, true, fromEnvironment(System.getenv()));
    }

    private static Embedder offline;

    /**
     * The offline default model, loaded once per process: its weights take a few hundred MB,
     * and every workspace opened in the process (tests open many) can share one.
     */
    public static synchronized Embedder offlineDefault() throws IOException {
        if (offline == null) offline = Embedders.defaultModel();
        return offline;
    }

    public static final String URL = "SEMFS_EMBEDDINGS_URL";
    public static final String MODEL = "SEMFS_EMBEDDINGS_MODEL";
    public static final String KEY = "SEMFS_EMBEDDINGS_KEY";
    public static final String DIMENSION = "SEMFS_EMBEDDINGS_DIM";

    /**
     * The embedding model an environment asks for: with {@value #URL} set, an OpenAI-compatible
     * endpoint (OpenAI, vLLM, llama.cpp, or Ollama at {@code http://localhost:11434/v1}) serving
     * {@value #MODEL}, with {@value #KEY} (optional) and {@value #DIMENSION} (optional: asked of the
     * endpoint once); otherwise the offline default, all-MiniLM-L6-v2 in-process. A different model
     * than the index was built with makes the index start over from the store.
     */
    public static EmbedderFactory fromEnvironment(java.util.Map<String, String> env) {
        String url = env.get(URL);
        if (url == null || url.isBlank()) return IndexSetup::offlineDefault;
        String model = env.getOrDefault(MODEL, "");
        if (model.isBlank()) throw new IllegalArgumentException(URL + " is set but " + MODEL + " is not");
        String key = env.getOrDefault(KEY, "");
        int dimension;
        try {
            dimension = Integer.parseInt(env.getOrDefault(DIMENSION, "0"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(DIMENSION + " must be a number, not '" + env.get(DIMENSION) + "'");
        }
        return () -> Embedders.openAiCompatible(url, key, model, dimension);
    }

    public IndexSetup withEmbedder(EmbedderFactory f) {
        return new IndexSetup(enabled, background, f);
    }

    public IndexSetup withBackground(boolean b) {
        return new IndexSetup(enabled, b, embedder);
    }
}
