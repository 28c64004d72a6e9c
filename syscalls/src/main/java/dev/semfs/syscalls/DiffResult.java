package dev.semfs.syscalls;

import java.util.List;

/**
 * A line diff between two versions of a file.
 *
 * @param from     version number of the old side (0: empty)
 * @param to       version number of the new side (-1: the live file)
 * @param unified  unified diff text
 * @param sections headings (Markdown headings, or the nearest preceding non-indented line for
 *                 code) of the regions that changed, without repeats
 * @param binary   true when either side is not text; then only sizes are compared
 */
public record DiffResult(String path, long from, long to, String unified, int added, int removed,
                         List<String> sections, boolean binary) {}
