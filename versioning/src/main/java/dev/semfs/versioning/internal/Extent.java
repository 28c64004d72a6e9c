package dev.semfs.versioning.internal;

/** A run of a file's content: a stored chunk, or (hash null) a sparse hole that reads as zeros. */
record Extent(long length, byte[] hash) {
    boolean isHole() {
        return hash == null;
    }

    static Extent hole(long length) {
        return new Extent(length, null);
    }
}
