package dev.semfs.index;

import java.util.Objects;

/**
 * Identity of an embedding model as recorded in the index: vectors of different models are not
 * comparable, so an index opened with a different model must be rebuilt.
 *
 * @param name a stable name, including the variant ("all-minilm-l6-v2-q") or the endpoint's model
 * @param dimension the vector length
 */
public record ModelInfo(String name, int dimension) {
    public ModelInfo {
        Objects.requireNonNull(name, "name");
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be positive: " + dimension);
        }
    }

    @Override
    public String toString() {
        return name + "/" + dimension;
    }
}
