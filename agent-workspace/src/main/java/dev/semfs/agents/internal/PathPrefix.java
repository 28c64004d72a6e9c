package dev.semfs.agents.internal;

/** Prefix tests on normalised workspace paths ("/", "/a/b"). */
final class PathPrefix {
    private PathPrefix() {}

    /** True when {@code path} is {@code prefix} or below it. */
    static boolean isUnder(String path, String prefix) {
        return prefix.equals("/") || path.equals(prefix) || path.startsWith(prefix + "/");
    }

    /** True when {@code path} is strictly below {@code dir}. */
    static boolean isStrictlyUnder(String path, String dir) {
        return !path.equals(dir) && isUnder(path, dir);
    }

    /** A normalised prefix: absolute, no empty, "." or ".." components, no trailing slash. */
    static String check(String prefix) {
        if (prefix == null || !prefix.startsWith("/") || prefix.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a path prefix is an absolute workspace path (got " + prefix + ")");
        }
        if (prefix.equals("/")) return prefix;
        if (prefix.endsWith("/") || prefix.contains("//") || prefix.contains("/./") || prefix.endsWith("/.")
                || prefix.contains("/../") || prefix.endsWith("/..")) {
            throw new IllegalArgumentException("path prefix is not normalised: " + prefix);
        }
        return prefix;
    }
}
