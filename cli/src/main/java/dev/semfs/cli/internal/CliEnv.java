package dev.semfs.cli.internal;

import dev.semfs.cli.WorkspaceOpener;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a command run touches outside its arguments: the standard streams, the
 * environment, the clock and the workspace opener. Tests pass their own; {@link #system} is the
 * real process.
 *
 * @param stderrIsTerminal whether progress bars may be drawn on {@code err} without being asked
 */
public record CliEnv(InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
                     String home, Clock clock, boolean stderrIsTerminal, WorkspaceOpener opener) {

    public CliEnv {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(opener, "opener");
    }

    /** The process's own streams (UTF-8, stdout buffered), environment and system clock. */
    public static CliEnv system(WorkspaceOpener opener) {
        // stdout is buffered (cat of a large file) and always UTF-8, whatever the locale says,
        // so that workspace names survive a C locale; stderr stays unbuffered for progress.
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        // ~ is $HOME, as the shell reads it; Java's user.home comes from the password database.
        String home = System.getenv("HOME");
        if (home == null || home.isBlank()) home = System.getProperty("user.home");
        return new CliEnv(System.in, out, err, System.getenv(), home,
                Clock.systemDefaultZone(), detectStderrTerminal(), opener);
    }

    /**
     * Java has no isatty for one stream (System.console() looks at stdin and stdout), so ask
     * Linux what fd 2 is; the launcher may also say so explicitly with SEMFS_STDERR_TTY.
     */
    private static boolean detectStderrTerminal() {
        String hint = System.getenv("SEMFS_STDERR_TTY");
        if (hint != null) return hint.equals("1") || hint.equalsIgnoreCase("true");
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
