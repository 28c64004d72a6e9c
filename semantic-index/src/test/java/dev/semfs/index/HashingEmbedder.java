package dev.semfs.index;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deterministic fake {@link Embedder} for tests that need many documents quickly: a hashed bag
 * of lower-case words, normalised. Texts sharing words are close; it knows no synonyms.
 */
final class HashingEmbedder implements Embedder {
    private final ModelInfo info;
    private final AtomicLong count = new AtomicLong();

    HashingEmbedder(String name, int dim) {
        this.info = new ModelInfo(name, dim);
    }

    @Override
    public ModelInfo model() {
        return info;
    }

    static float[] vector(String text, int dim) {
        float[] v = new float[dim];
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (w.isEmpty()) continue;
            int h = java.util.Arrays.hashCode(w.getBytes(StandardCharsets.UTF_8));
            v[Math.floorMod(h, dim)] += (h & 0x100) == 0 ? 1f : -1f;
        }
        double n = 0;
        for (float x : v) n += x * x;
        if (n == 0) {
            v[0] = 1;
            return v;
        }
        float inv = (float) (1 / Math.sqrt(n));
        for (int i = 0; i < dim; i++) v[i] *= inv;
        return v;
    }

    @Override
    public List<float[]> embedPassages(List<String> texts) {
        List<float[]> out = new ArrayList<>();
        for (String t : texts) {
            out.add(vector(t, info.dimension()));
        }
        count.addAndGet(texts.size());
        return out;
    }

    @Override
    public float[] embedQuery(String query) {
        count.incrementAndGet();
        return vector(query, info.dimension());
    }

    @Override
    public long embeddedCount() {
        return count.get();
    }
}
