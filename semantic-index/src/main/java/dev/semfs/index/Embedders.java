package dev.semfs.index;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.semfs.index.internal.LangChainEmbedder;
import dev.semfs.index.internal.OnnxMiniLmEmbedder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** Ready-made {@link Embedder}s. */
public final class Embedders {
    /** The variant used when nothing is configured (chosen by measured SciFact quality, see docs/benchmarks.md). */
    public static final MiniLmVariant DEFAULT_VARIANT = MiniLmVariant.QUANTIZED;

    private Embedders() {
    }

    /**
     * The offline default: all-MiniLM-L6-v2 run in-process by ONNX Runtime, from the model that
     * ships in its Maven artifact. The model and its tokenizer are extracted once into
     * {@code cacheDir} (loading from a file takes less memory and time than from the jar), with
     * the tokenizer's 128-token truncation raised to 256 (the model's training length) and its
     * fixed padding removed, so the end of a passage counts and short queries are fast.
     */
    public static Embedder miniLm(MiniLmVariant variant, Path cacheDir) throws IOException {
        return OnnxMiniLmEmbedder.load(variant, cacheDir);
    }

    /** {@link #miniLm} with {@link #DEFAULT_VARIANT} and {@link #defaultCacheDir()}. */
    public static Embedder defaultModel() throws IOException {
        return miniLm(DEFAULT_VARIANT, defaultCacheDir());
    }

    /** {@code $XDG_CACHE_HOME/semfs/models}, else {@code ~/.cache/semfs/models}. */
    public static Path defaultCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("semfs").resolve("models");
    }

    /**
     * An OpenAI-compatible embeddings endpoint ({@code POST {baseUrl}/embeddings}), e.g. OpenAI,
     * a vLLM or llama.cpp server, or Ollama's {@code http://localhost:11434/v1}.
     *
     * @param apiKey may be empty for local servers
     * @param dimension the model's vector length; 0 to ask the endpoint once now
     */
    public static Embedder openAiCompatible(String baseUrl, String apiKey, String modelName, int dimension) {
        OpenAiEmbeddingModel.OpenAiEmbeddingModelBuilder b = OpenAiEmbeddingModel.builder()
                .baseUrl(baseUrl)
                .apiKey(apiKey == null || apiKey.isEmpty() ? "none" : apiKey)
                .modelName(modelName)
                .timeout(Duration.ofSeconds(60))
                .maxRetries(2);
        OpenAiEmbeddingModel model = b.build();
        return new LangChainEmbedder(model, modelName, dimension > 0 ? dimension : model.dimension());
    }

    /** Any LangChain4j embedding model, recorded in the index as {@code name}. */
    public static Embedder of(EmbeddingModel model, String name, int dimension) {
        return new LangChainEmbedder(model, name, dimension);
    }
}
