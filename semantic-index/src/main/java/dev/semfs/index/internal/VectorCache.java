package dev.semfs.index.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bounded least-recently-used map from passage hash to vector. It covers what the index lookup
 * cannot: passages written but not yet visible to a reader, and passages of a file deleted just
 * before an identical one is created (an editor saving through a temporary file). Thread-safe.
 */
final class VectorCache {
    private final Map<String, float[]> map;
    private final int capacity;

    VectorCache(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > VectorCache.this.capacity;
            }
        };
    }

    synchronized float[] get(String hash) {
        return capacity == 0 ? null : map.get(hash);
    }

    synchronized void put(String hash, float[] vector) {
        if (capacity > 0) {
            map.put(hash, vector);
        }
    }
}
