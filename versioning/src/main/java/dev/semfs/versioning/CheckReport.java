package dev.semfs.versioning;

import java.util.List;

/** The result of a full consistency check: reference counts, dangling references, tree shape. */
public record CheckReport(List<String> problems, long inodes, long versions, long chunks, long pages) {
    public boolean ok() { return problems.isEmpty(); }
}
