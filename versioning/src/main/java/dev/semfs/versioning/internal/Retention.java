package dev.semfs.versioning.internal;

import dev.semfs.versioning.RetentionPolicy;
import dev.semfs.versioning.VersionRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Decides which versions of one node a retention policy lets go. The newest always stays. */
final class Retention {
    private static final long HOUR = 3_600_000_000_000L;
    private static final long DAY = 24 * HOUR;

    private Retention() {}

    /** @param versions one node's versions, oldest first; @param now nanoseconds since the epoch */
    static List<VersionRecord> droppable(RetentionPolicy policy, List<VersionRecord> versions, long now) {
        if (versions.size() <= 1) return List.of();
        List<VersionRecord> older = versions.subList(0, versions.size() - 1);
        List<VersionRecord> drop = new ArrayList<>();
        switch (policy) {
            case RetentionPolicy.KeepAll k -> { }
            case RetentionPolicy.KeepLast k -> {
                int excess = versions.size() - k.versions();
                for (int i = 0; i < excess; i++) drop.add(versions.get(i));
            }
            case RetentionPolicy.KeepFor k -> {
                long cutoff = now - k.age().toNanos();
                for (VersionRecord v : older) if (v.time() < cutoff) drop.add(v);
            }
            case RetentionPolicy.Thinned t -> {
                // Newest first, keep one version per bucket; the bucket widens with age.
                Set<Long> buckets = new HashSet<>();
                for (int i = older.size() - 1; i >= 0; i--) {
                    VersionRecord v = older.get(i);
                    long age = now - v.time();
                    long width = age < DAY ? 1 : age < 7 * DAY ? HOUR : age < 30 * DAY ? DAY : 7 * DAY;
                    if (width == 1) continue;
                    long bucket = Long.numberOfTrailingZeros(width) * 1_000_000_000_000L + v.time() / width;
                    if (!buckets.add(bucket)) drop.add(v);
                }
            }
        }
        return drop;
    }
}
