package dev.semfs.cli.internal;

import dev.semfs.errors.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;

/**
 * One failure as the command line reports it. Every error of every command passes through
 * {@link #of}, which classifies it once with {@link ErrorCode#of}; the phrase, the exit status
 * and the JSON shape all follow from the code.
 *
 * @param path   the path the failure is about (workspace or host), or null
 * @param detail the thrower's own explanation when it adds something to the phrase, or null
 */
record Problem(ErrorCode code, String path, String detail) {

    static Problem of(Throwable t) {
        if (t instanceof UncheckedIOException u && u.getCause() != null) t = u.getCause();
        ErrorCode code = ErrorCode.of(t);
        if (t instanceof FileSystemException f) {
            String reason = f.getReason();
            // A reason that only repeats the path adds nothing (the daemon's wire sends the
            // message, which is the path when the thrower gave no reason).
            if (reason != null && reason.equals(f.getFile())) reason = null;
            return new Problem(code, f.getFile(), extra(code, reason));
        }
        if (t instanceof IOException || t instanceof IllegalArgumentException) {
            return new Problem(code, null, extra(code, t.getMessage()));
        }
        // Not an error the core API documents: a bug somewhere. Say so rather than guess.
        return new Problem(ErrorCode.IO, null, "internal error: " + t);
    }

    private static String extra(ErrorCode code, String reason) {
        if (reason == null || reason.isBlank()) return null;
        return reason.equalsIgnoreCase(phrase(code)) ? null : reason;
    }

    /** 2 when the request itself was malformed (a usage error), 1 when the operation failed. */
    int exitStatus() {
        return code == ErrorCode.INVALID_ARGUMENT ? SemfsCli.USAGE : SemfsCli.FAILED;
    }

    /** "no such file or directory", with the thrower's detail when it has one. */
    String message() {
        return detail == null ? phrase(code) : phrase(code) + " (" + detail + ")";
    }

    /** The one line on stderr: "semfs: cat /a/b: no such file or directory". */
    String line(String command) {
        StringBuilder b = new StringBuilder("semfs: ").append(command);
        if (path != null) b.append(' ').append(printable(path));
        return b.append(": ").append(printable(message())).toString();
    }

    /** Control characters escaped, so that the message stays one line whatever a name holds. */
    static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != 0x7f) {
                if (b != null) b.append(c);
                continue;
            }
            if (b == null) b = new StringBuilder(s.length() + 8).append(s, 0, i);
            switch (c) {
                case '\0' -> b.append("\\0");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> b.append(String.format("\\x%02x", (int) c));
            }
        }
        return b == null ? s : b.toString();
    }

    static String phrase(ErrorCode code) {
        return code.phrase();
    }
}
