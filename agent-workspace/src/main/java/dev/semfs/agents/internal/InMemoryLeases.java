package dev.semfs.agents.internal;

import dev.semfs.agents.Lease;
import dev.semfs.agents.Leases;
import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Leases in a sorted map under one lock: few leases exist at a time, and each call is a short
 * scan. Expired leases are dropped lazily whenever the map is looked at.
 */
public final class InMemoryLeases implements Leases {
    private final Clock clock;
    private final TreeMap<String, Lease> byPath = new TreeMap<>();

    public InMemoryLeases(Clock clock) {
        this.clock = clock;
    }

    private long now() {
        Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static long ttlNanos(Duration ttl) {
        if (ttl == null || ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("a lease lasts more than 0 and at most " + MAX_TTL.toMinutes() + " minutes");
        }
        return ttl.toNanos();
    }

    private void expire(long now) {
        byPath.values().removeIf(l -> l.expiresNanos() <= now);
    }

    @Override
    public synchronized Lease acquire(String agent, String path, Duration ttl) throws IOException {
        long t = ttlNanos(ttl);
        PathPrefix.check(path);
        long now = now();
        expire(now);
        Optional<Lease> other = otherLocked(agent, path);
        if (other.isPresent()) {
            Lease l = other.get();
            throw new SemfsException(ErrorCode.CONFLICT, path, "agent " + l.agent() + " holds a lease on " + l.path()
                    + " for " + Math.max(1, (l.expiresNanos() - now) / 1_000_000_000L) + " s more");
        }
        Lease old = byPath.get(path);
        Lease lease = new Lease(path, agent, old == null ? now : old.acquiredNanos(), now + t);
        byPath.put(path, lease);
        return lease;
    }

    @Override
    public synchronized Lease renew(String agent, String path, Duration ttl) throws IOException {
        long t = ttlNanos(ttl);
        long now = now();
        expire(now);
        Lease old = byPath.get(path);
        if (old == null || !old.agent().equals(agent)) {
            throw new NoSuchFileException(path, null, "agent " + agent + " holds no lease on it (it may have expired)");
        }
        Lease lease = new Lease(path, agent, old.acquiredNanos(), now + t);
        byPath.put(path, lease);
        return lease;
    }

    @Override
    public synchronized void release(String agent, String path) throws IOException {
        expire(now());
        Lease old = byPath.get(path);
        if (old == null || !old.agent().equals(agent)) {
            throw new NoSuchFileException(path, null, "agent " + agent + " holds no lease on it (it may have expired)");
        }
        byPath.remove(path);
    }

    @Override
    public synchronized List<Lease> list(String prefix) {
        expire(now());
        List<Lease> out = new ArrayList<>();
        for (Lease l : byPath.values()) if (PathPrefix.isUnder(l.path(), prefix)) out.add(l);
        return out;
    }

    @Override
    public synchronized Optional<Lease> heldByOther(String agent, String path) {
        expire(now());
        return otherLocked(agent, path);
    }

    private Optional<Lease> otherLocked(String agent, String path) {
        for (Lease l : byPath.values()) {
            if (l.agent().equals(agent)) continue;
            if (PathPrefix.isUnder(path, l.path()) || PathPrefix.isUnder(l.path(), path)) return Optional.of(l);
        }
        return Optional.empty();
    }
}
