package dev.semfs.index;

/** The two builds of all-MiniLM-L6-v2 that ship in Maven artifacts (no download at run time). */
public enum MiniLmVariant {
    /** int8-quantized: about 23 MB, faster, less memory. */
    QUANTIZED("all-minilm-l6-v2-q"),
    /** float32: about 90 MB. */
    FULL("all-minilm-l6-v2");

    private final String resource;

    MiniLmVariant(String resource) {
        this.resource = resource;
    }

    /** Base name of the model's resources in its jar, and the model name recorded in the index. */
    public String resource() {
        return resource;
    }
}
