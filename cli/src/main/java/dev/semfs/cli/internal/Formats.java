package dev.semfs.cli.internal;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Human-readable renderings shared by the plain-text output of several commands. */
final class Formats {
    private Formats() {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    /** A time given in nanoseconds since the epoch, in the local zone to the second. */
    static String time(long epochNanos, ZoneId zone) {
        if (epochNanos == 0) return "-";
        Instant t = Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
        return TIME.format(t.atZone(zone));
    }

    /** 1023 B, 1.5 KiB, 12.0 MiB ... */
    static String bytes(long n) {
        if (n < 1024) return n + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** "drwxr-xr-x" from a node type and its permission bits. */
    static String mode(String type, int mode) {
        char t = switch (type) {
            case "directory" -> 'd';
            case "symlink" -> 'l';
            default -> '-';
        };
        StringBuilder b = new StringBuilder().append(t);
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            b.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return b.toString();
    }

    /** Joins a workspace directory and a child name. */
    static String child(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }
}
