package dev.semfs.syscalls;

import java.util.List;

/** Change-log entries in order; {@code next} is the seq to pass as afterSeq for the following page. */
public record ChangeList(List<ChangeEntry> changes, long next) {
    /** @param time nanoseconds since the epoch */
    public record ChangeEntry(long seq, long time, String op, String path, String toPath, long version,
                              String agent, String via, String reason) {}
}
