package dev.semfs.index.internal;

import dev.semfs.index.ModelInfo;
import java.io.IOException;

/** Small vector helpers. */
final class Vectors {
    private Vectors() {
    }

    /** Checks the length against the model and scales to unit length (dot product = cosine). */
    static float[] checkedUnit(float[] v, ModelInfo model) throws IOException {
        if (v.length != model.dimension()) {
            throw new IOException("model " + model + " returned a vector of dimension " + v.length);
        }
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum == 0 || Double.isNaN(sum)) {
            float[] u = new float[v.length];
            u[0] = 1f; // a zero vector cannot be normalised; any fixed unit vector keeps HNSW valid
            return u;
        }
        double inv = 1.0 / Math.sqrt(sum);
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = (float) (v[i] * inv);
        }
        return u;
    }
}
