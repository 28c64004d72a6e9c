package dev.semfs.agents;

import dev.semfs.agents.internal.InMemoryLeases;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Advisory leases on paths, held in memory by the process that owns the workspace (a restart
 * drops them, which is what a lease's time-out would do anyway). A lease on a path covers the
 * path and everything below it, so leases of two agents conflict when one path is at or below
 * the other. Expired leases are gone: no call returns them.
 *
 * <p>Thread-safe. Time comes from the injected clock. Errors: {@link dev.semfs.errors.SemfsException}
 * with {@link dev.semfs.errors.ErrorCode#CONFLICT} when another agent holds a covering lease,
 * {@link java.nio.file.NoSuchFileException} when renewing or releasing a lease the agent does
 * not hold, {@link IllegalArgumentException} for a time-to-live outside (0, {@link #MAX_TTL}].
 */
public interface Leases {
    Duration MAX_TTL = Duration.ofHours(1);

    static Leases inMemory(Clock clock) {
        return new InMemoryLeases(clock);
    }

    /** Takes (or, when the agent already holds it, extends) the lease on {@code path} for {@code ttl}. */
    Lease acquire(String agent, String path, Duration ttl) throws IOException;

    /** Extends a lease the agent holds. */
    Lease renew(String agent, String path, Duration ttl) throws IOException;

    /** Gives a lease up. */
    void release(String agent, String path) throws IOException;

    /** Live leases at or below {@code prefix} ("/" for all), by path. */
    List<Lease> list(String prefix);

    /** A live lease of another agent at, above or below {@code path}, if any. */
    Optional<Lease> heldByOther(String agent, String path);
}
