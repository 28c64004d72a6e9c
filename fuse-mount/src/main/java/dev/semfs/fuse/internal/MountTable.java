package dev.semfs.fuse.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's view of mounts (/proc/self/mountinfo) and the fusermount helper. Linux only.
 * Stateless and thread-safe.
 */
final class MountTable {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountTable() {}

    /** True when {@code mountPoint} (absolute, normalised) is a mount point right now. */
    static boolean isMounted(Path mountPoint) throws IOException {
        String want = mountPoint.toString();
        for (String line : Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (f.length > 4 && unescape(f[4]).equals(want)) return true;
        }
        return false;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Runs {@code fusermount -u [-z] mountPoint}; returns its exit status (0 on success). Uses
     * fusermount (libfuse 2's helper, on current systems often a link to fusermount3), falling
     * back to fusermount3.
     */
    static int fusermountUnmount(Path mountPoint, boolean lazy) throws IOException {
        IOException last = null;
        for (String helper : List.of("fusermount", "fusermount3")) {
            List<String> cmd = new ArrayList<>(List.of(helper, "-u", "-q"));
            if (lazy) cmd.add("-z");
            cmd.add(mountPoint.toString());
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return -1;
                }
                return p.exitValue();
            } catch (IOException e) {
                last = e; // helper not installed under this name: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while unmounting " + mountPoint, e);
            }
        }
        throw new IOException("neither fusermount nor fusermount3 could be run", last);
    }
}
