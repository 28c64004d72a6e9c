package dev.semfs.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class TimeExpressionsTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:34:56Z");
    private final TimeExpressions times = new TimeExpressions(Clock.fixed(NOW, ZoneId.of("UTC")));

    @Test
    void isoForms() {
        assertEquals(Instant.parse("2025-03-01T10:00:00Z"), times.parse("2025-03-01T10:00:00Z"));
        assertEquals(Instant.parse("2025-03-01T08:00:00Z"), times.parse("2025-03-01T10:00:00+02:00"));
        assertEquals(Instant.parse("2025-03-01T10:15:00Z"), times.parse("2025-03-01T10:15"));
        assertEquals(Instant.parse("2025-03-01T00:00:00Z"), times.parse("2025-03-01"), "a date is its start");
    }

    @Test
    void localFormsUseTheClocksZone() {
        TimeExpressions paris = new TimeExpressions(Clock.fixed(NOW, ZoneId.of("Europe/Paris")));
        assertEquals(Instant.parse("2025-02-28T23:00:00Z"), paris.parse("2025-03-01"));
    }

    @Test
    void relativeExpressions() {
        assertEquals(NOW.minus(Duration.ofMinutes(10)), times.parse("10 minutes ago"));
        assertEquals(NOW.minus(Duration.ofHours(2)), times.parse("2 hours ago"));
        assertEquals(NOW.minus(Duration.ofHours(1)), times.parse("an hour ago"));
        assertEquals(NOW.minus(Duration.ofDays(3)), times.parse("3 days ago"));
        assertEquals(NOW.minus(Duration.ofDays(1)), times.parse("Yesterday"));
        assertEquals(Instant.parse("2025-05-31T14:00:00Z"), times.parse("yesterday 14:00"));
    }

    @Test
    void textThatIsNotWhollyATimeIsRefused() {
        for (String bad : new String[] {"banana", "banana 3", "", "  ", "2 days before the meeting"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> times.parse(bad), bad);
            assertTrue(e.getMessage().contains("time"), e.getMessage());
        }
    }

    @Test
    void futureTimesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> times.parse("in 5 minutes"));
        assertTrue(e.getMessage().contains("in the future"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> times.parse("2030-01-01"));
    }
}
