package dev.semfs.fuse.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which system call the process behind a FUSE request is blocked in, read from
 * {@code /proc/<tid>/syscall} (the kernel puts the calling thread's id in every request).
 *
 * <p>Used for one question libfuse cannot answer: when it renames an open file to a hidden name,
 * is that for the program's unlink(2) of it, or for a rename(2) over it? Only the caller's
 * blocked system call tells. The file is readable by the daemon's own user or root; anything
 * unreadable or unexpected answers "not a rename", which keeps the safe behaviour.
 */
final class CallerSyscall {
    private static final int[] RENAMES = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> new int[] {82, 264, 316};  // rename, renameat, renameat2
        case "aarch64", "arm64" -> new int[] {38, 276};      // renameat, renameat2
        default -> new int[0];
    };

    private CallerSyscall() {}

    static boolean isRename(int tid) {
        if (tid <= 0 || RENAMES.length == 0) return false;
        String line;
        try {
            line = Files.readString(Path.of("/proc", Integer.toString(tid), "syscall"));
        } catch (IOException | RuntimeException unreadable) {
            return false;
        }
        int end = line.indexOf(' ');
        if (end <= 0) return false; // "running" or empty: not blocked in a call
        int nr;
        try {
            nr = Integer.parseInt(line.substring(0, end));
        } catch (NumberFormatException e) {
            return false;
        }
        for (int r : RENAMES) if (r == nr) return true;
        return false;
    }
}
