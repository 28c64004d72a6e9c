package dev.semfs.syscalls;

import java.util.List;

/** What a rollback or restore changed: one entry per path it touched. */
public record RollbackResult(List<Entry> changed) {
    /**
     * @param action "restored" (content set back), "recreated" (a deleted path came back),
     *               "removed" (the path did not exist then), "unchanged"
     * @param version the new version created by the rollback, 0 if none
     */
    public record Entry(String path, String action, long fromVersion, long version) {}
}
