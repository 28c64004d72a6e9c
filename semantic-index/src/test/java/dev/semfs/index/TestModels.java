package dev.semfs.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The real default model, loaded once per test JVM (extracted under target/). */
final class TestModels {
    private static Embedder miniLm;

    private TestModels() {
    }

    static synchronized Embedder miniLm() {
        if (miniLm == null) {
            try {
                miniLm = Embedders.miniLm(Embedders.DEFAULT_VARIANT, Path.of("target", "test-models"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return miniLm;
    }
}
