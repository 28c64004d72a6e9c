package dev.semfs.syscalls;

import java.util.List;

/**
 * The state of a workspace.
 *
 * @param checkProblems null unless a check was asked for; then empty when the store is consistent
 * @param indexLag      change-log entries not yet in the semantic index (-1: no index)
 * @param rebuildDone   files indexed so far by a running rebuild (-1: none running)
 * @param rebuildTotal  files that running rebuild will index
 */
public record StatusInfo(String store, long files, long directories, long symlinks, long versions,
                         long chunks, long chunkBytes, long diskBytes, long snapshots, long lastChange,
                         long indexLag, String model, List<String> checkProblems,
                         long rebuildDone, long rebuildTotal) {}
