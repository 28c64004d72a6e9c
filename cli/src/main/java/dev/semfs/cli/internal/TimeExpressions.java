package dev.semfs.cli.internal;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;
import java.util.regex.Pattern;
import org.ocpsoft.prettytime.nlp.PrettyTimeParser;
import org.ocpsoft.prettytime.nlp.parse.DateGroup;

/**
 * Parses the TIME arguments of the command line ({@code rollback --at TIME}): ISO-8601
 * ("2025-03-01T10:00:00Z", "2025-03-01T10:00", "2025-03-01") and English expressions
 * ("10 minutes ago", "2 hours ago", "yesterday", "last friday", "yesterday 14:00").
 *
 * <p>Library choice: PrettyTime::NLP ({@code org.ocpsoft.prettytime:prettytime-nlp} 5.0.9.Final,
 * released 2024 by OCPsoft). It is the maintained packaging of the natty grammar: it runs on
 * Java 25 unchanged, shades its own dependencies (nothing leaks onto our class path), and takes
 * a reference date, so "now" comes from the injected clock and tests are exact. natty itself
 * (com.joestelmach) has had no release since 2017. Its known weaknesses are handled here:
 * <ul>
 *   <li>ISO-8601 is parsed by java.time first: exact, and a bare date means the start of that
 *       day (natty would keep the current time of day);</li>
 *   <li>the whole expression must be recognised: natty picks a date out of any text ("banana 3"
 *       is 3 o'clock), which for a rollback would be a silent wrong answer;</li>
 *   <li>"a"/"an" before a unit means 1 (natty does not know "an hour ago");</li>
 *   <li>a time in the future is refused: nothing can be rolled back to it, and it is what natty
 *       returns for "2 days" without "ago".</li>
 * </ul>
 * Local dates and times are read in the clock's zone. Not thread-safe (the command line parses
 * on one thread).
 */
final class TimeExpressions {
    private static final Pattern ARTICLE = Pattern.compile("^(a|an)\\s+(?=[a-z])");
    /** Clock skew tolerated before "in the future" is an error. */
    private static final Duration FUTURE_SLACK = Duration.ofSeconds(5);

    private final Clock clock;
    private PrettyTimeParser parser;

    TimeExpressions(Clock clock) {
        this.clock = clock;
    }

    /** @throws IllegalArgumentException with a message fit for the user when {@code text} is not a time */
    Instant parse(String text) {
        String t = text.trim();
        if (t.isEmpty()) throw new IllegalArgumentException("empty time");
        Instant now = clock.instant();
        Instant result = iso(t, clock.getZone());
        if (result == null) result = natural(t.toLowerCase(Locale.ROOT), now);
        if (result == null) {
            throw new IllegalArgumentException("'" + text + "' is not a time; use ISO-8601 (2025-03-01T10:00:00Z,"
                    + " 2025-03-01) or an expression like '10 minutes ago', '2 hours ago', 'yesterday'");
        }
        if (result.isAfter(now.plus(FUTURE_SLACK))) {
            throw new IllegalArgumentException("'" + text + "' is in the future (" + result + ")");
        }
        return result;
    }

    private static Instant iso(String t, ZoneId zone) {
        try {
            return OffsetDateTime.parse(t).toInstant();   // 2025-03-01T10:00:00Z, ...+02:00
        } catch (DateTimeException ignored) {
            // not this form
        }
        try {
            return LocalDateTime.parse(t).atZone(zone).toInstant();
        } catch (DateTimeException ignored) {
            // not this form
        }
        try {
            return LocalDate.parse(t).atStartOfDay(zone).toInstant();
        } catch (DateTimeException ignored) {
            return null;
        }
    }

    private Instant natural(String t, Instant now) {
        String expr = ARTICLE.matcher(t).replaceFirst("1 ");
        PrintStream saved = System.err;
        // The shaded slf4j 1.7 inside prettytime-nlp prints a "no StaticLoggerBinder" notice to
        // System.err when its parser first logs; it is noise to a command-line user.
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            if (parser == null) parser = new PrettyTimeParser(TimeZone.getTimeZone(clock.getZone()));
            List<DateGroup> groups = parser.parseSyntax(expr);
            if (groups.size() != 1 || !groups.getFirst().getText().trim().equalsIgnoreCase(expr)) return null;
            List<Date> dates = parser.parse(expr, Date.from(now));
            return dates.size() == 1 ? dates.getFirst().toInstant() : null;
        } finally {
            System.setErr(saved);
        }
    }
}
