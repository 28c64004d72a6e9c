package dev.semfs.index;

import java.io.IOException;

/**
 * The index on disk was built with another embedding model (or dimension) than the one it is
 * opened with. Its vectors cannot be compared with the new model's: open it with
 * {@link IndexOptions.OnModelChange#RESET} and feed every file again (a full re-index).
 */
public final class ModelMismatchException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient ModelInfo stored;
    private final transient ModelInfo requested;

    public ModelMismatchException(ModelInfo stored, ModelInfo requested) {
        super("index was built with " + stored + " but is opened with " + requested + "; a full re-index is needed");
        this.stored = stored;
        this.requested = requested;
    }

    public ModelInfo stored() {
        return stored;
    }

    public ModelInfo requested() {
        return requested;
    }
}
