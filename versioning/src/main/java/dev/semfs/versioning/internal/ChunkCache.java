package dev.semfs.versioning.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/** A byte-bounded LRU cache of chunk bodies, so small reads do not fetch a whole chunk each time. Thread-safe. */
final class ChunkCache {
    private final long capacity;
    private long used;
    private final LinkedHashMap<FileContent.Key, byte[]> map = new LinkedHashMap<>(256, 0.75f, true);

    ChunkCache(long capacity) {
        this.capacity = capacity;
    }

    synchronized byte[] get(byte[] hash) {
        return map.get(new FileContent.Key(hash));
    }

    synchronized void put(byte[] hash, byte[] data) {
        byte[] old = map.put(new FileContent.Key(hash), data);
        if (old != null) used -= old.length;
        used += data.length;
        var it = map.entrySet().iterator();
        while (used > capacity && it.hasNext()) {
            Map.Entry<FileContent.Key, byte[]> e = it.next();
            used -= e.getValue().length;
            it.remove();
        }
    }

    synchronized void remove(byte[] hash) {
        byte[] old = map.remove(new FileContent.Key(hash));
        if (old != null) used -= old.length;
    }
}
