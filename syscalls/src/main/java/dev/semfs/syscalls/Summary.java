package dev.semfs.syscalls;

import java.util.List;

/**
 * A summary of files, a folder, a search result or the changes since a time.
 *
 * @param method how it was made ("extractive": sentences taken from the files themselves)
 * @param text   the summary of everything asked for
 * @param parts  one entry per file summarised, in path order (for a search: in rank order)
 */
public record Summary(String method, String text, List<Part> parts) {
    /**
     * @param version the path's version number that was summarised; 0 for a deleted file
     * @param change  for a summary of changes: what happened to the path since the time asked
     *                for (e.g. "written 3 times by alice, bob"); otherwise null
     */
    public record Part(String path, long version, String summary, String change) {}
}
