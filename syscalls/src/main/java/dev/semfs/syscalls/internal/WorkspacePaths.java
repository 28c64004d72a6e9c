package dev.semfs.syscalls.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Normalises and validates workspace paths: the one place a path from a front end is checked. */
final class WorkspacePaths {
    static final int MAX_NAME_BYTES = 255;
    static final int MAX_PATH_BYTES = 4096;
    /** The mount's virtual tree; no real file may take its name. */
    static final String RESERVED = ".semfs";

    private WorkspacePaths() {}

    /**
     * "a//b/./c/" becomes "/a/b/c"; ".." steps up but never above the root. Refuses NUL bytes,
     * over-long names and paths, and ".." that would leave the workspace.
     */
    static String normalize(String raw) throws SemfsException {
        if (raw == null || raw.isEmpty()) throw SemfsException.invalid(String.valueOf(raw), "empty path");
        if (raw.indexOf('\0') >= 0) throw SemfsException.invalid(raw.replace("\0", "\\0"), "path contains a NUL byte");
        if (raw.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new SemfsException(ErrorCode.TOO_LARGE, raw.substring(0, 64) + "...", "path longer than " + MAX_PATH_BYTES + " bytes");
        }
        List<String> parts = new ArrayList<>();
        for (String p : raw.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) {
                if (parts.isEmpty()) throw SemfsException.invalid(raw, "path escapes the workspace root");
                parts.removeLast();
                continue;
            }
            if (p.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new SemfsException(ErrorCode.TOO_LARGE, raw, "file name longer than " + MAX_NAME_BYTES + " bytes");
            }
            parts.add(p);
        }
        return parts.isEmpty() ? "/" : "/" + String.join("/", parts);
    }

    static List<String> components(String normalized) {
        if (normalized.equals("/")) return List.of();
        return List.of(normalized.substring(1).split("/"));
    }

    static String parent(String normalized) {
        int i = normalized.lastIndexOf('/');
        return i <= 0 ? "/" : normalized.substring(0, i);
    }

    static String name(String normalized) {
        return normalized.substring(normalized.lastIndexOf('/') + 1);
    }

    static String child(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    static boolean isUnder(String path, String prefix) {
        return prefix.equals("/") || path.equals(prefix) || path.startsWith(prefix + "/");
    }

    /** Refuses creating anything named like the mount's virtual tree at the root. */
    static void checkWritable(String normalized) throws SemfsException {
        if (normalized.equals("/" + RESERVED) || normalized.startsWith("/" + RESERVED + "/")) {
            throw new SemfsException(ErrorCode.READ_ONLY, normalized, "/" + RESERVED + " is semfs's read-only virtual tree");
        }
        if (normalized.equals("/")) throw SemfsException.invalid("/", "the workspace root cannot be changed this way");
    }
}
