package dev.semfs.index.internal;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.semfs.index.Embedder;
import dev.semfs.index.ModelInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link Embedder} over any LangChain4j {@link EmbeddingModel} (remote endpoints in
 * particular). Vectors are normalised to unit length here, because the index scores by dot
 * product and not every endpoint returns unit vectors. Thread-safe if the model is.
 */
public final class LangChainEmbedder implements Embedder {
    private final EmbeddingModel model;
    private final ModelInfo info;
    private final AtomicLong embedded = new AtomicLong();

    public LangChainEmbedder(EmbeddingModel model, String name, int dimension) {
        this.model = model;
        this.info = new ModelInfo(name, dimension);
    }

    @Override
    public ModelInfo model() {
        return info;
    }

    @Override
    public List<float[]> embedPassages(List<String> texts) throws IOException {
        if (texts.isEmpty()) {
            return List.of();
        }
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (String t : texts) {
            segments.add(TextSegment.from(t.isBlank() ? "(empty)" : t));
        }
        List<Embedding> out;
        try {
            out = model.embedAll(segments).content();
        } catch (RuntimeException e) {
            throw new IOException("embedding model " + info + " failed: " + e.getMessage(), e);
        }
        if (out.size() != texts.size()) {
            throw new IOException("embedding model " + info + " returned " + out.size() + " vectors for "
                    + texts.size() + " texts");
        }
        embedded.addAndGet(texts.size());
        List<float[]> vectors = new ArrayList<>(out.size());
        for (Embedding e : out) {
            vectors.add(Vectors.checkedUnit(e.vector(), info));
        }
        return vectors;
    }

    @Override
    public float[] embedQuery(String query) throws IOException {
        try {
            embedded.incrementAndGet();
            return Vectors.checkedUnit(model.embed(query.isBlank() ? "(empty)" : query).content().vector(), info);
        } catch (RuntimeException e) {
            throw new IOException("embedding model " + info + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long embeddedCount() {
        return embedded.get();
    }
}
