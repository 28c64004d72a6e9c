package dev.semfs.agents.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.semfs.agents.Lease;
import dev.semfs.agents.Leases;
import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryLeasesTest {
    final FakeClock clock = new FakeClock();
    final Leases leases = Leases.inMemory(clock);

    @Test
    void aLeaseExcludesOtherAgentsAtAboveAndBelowItsPathUntilItExpires() throws Exception {
        long t0 = clock.nanos();
        Lease l = leases.acquire("alice", "/docs/a", Duration.ofSeconds(30));
        assertEquals(t0 + 30_000_000_000L, l.expiresNanos());
        for (String p : new String[] {"/docs/a", "/docs", "/", "/docs/a/x"}) {
            SemfsException e = assertThrows(SemfsException.class, () -> leases.acquire("bob", p, Duration.ofSeconds(5)), p);
            assertEquals(ErrorCode.CONFLICT, e.code());
            assertTrue(e.getMessage().contains("alice"), e.getMessage());
        }
        leases.acquire("bob", "/docs/b", Duration.ofSeconds(5));
        leases.acquire("bob", "/docs/ab", Duration.ofSeconds(5));
        assertTrue(leases.heldByOther("bob", "/docs/a/f").isPresent());
        assertTrue(leases.heldByOther("alice", "/docs/a/f").isEmpty(), "one's own lease is no conflict");
        clock.advance(Duration.ofSeconds(29));
        assertTrue(leases.heldByOther("bob", "/docs/a").isPresent());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(leases.heldByOther("bob", "/docs/a").isEmpty(), "expired at its expiry time");
        assertEquals(0, leases.list("/docs/a").size());
        leases.acquire("bob", "/docs/a", Duration.ofSeconds(5));
        assertThrows(NoSuchFileException.class, () -> leases.renew("alice", "/docs/a", Duration.ofSeconds(5)));
    }

    @Test
    void renewExtendsReacquireExtendsReleaseFrees() throws Exception {
        Lease first = leases.acquire("alice", "/f", Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(8));
        Lease renewed = leases.renew("alice", "/f", Duration.ofSeconds(10));
        assertEquals(first.acquiredNanos(), renewed.acquiredNanos());
        assertEquals(clock.nanos() + 10_000_000_000L, renewed.expiresNanos());
        clock.advance(Duration.ofSeconds(9));
        assertTrue(leases.heldByOther("bob", "/f").isPresent(), "renewal moved the expiry");
        Lease again = leases.acquire("alice", "/f", Duration.ofSeconds(20));
        assertEquals(first.acquiredNanos(), again.acquiredNanos());
        assertEquals(1, leases.list("/").size());
        assertThrows(NoSuchFileException.class, () -> leases.release("bob", "/f"));
        leases.release("alice", "/f");
        assertTrue(leases.list("/").isEmpty());
        assertThrows(NoSuchFileException.class, () -> leases.release("alice", "/f"));
        assertThrows(IllegalArgumentException.class, () -> leases.acquire("alice", "/f", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> leases.acquire("alice", "/f", Duration.ofHours(2)));
    }
}
