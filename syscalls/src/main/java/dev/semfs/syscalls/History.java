package dev.semfs.syscalls;

import java.util.List;

/**
 * Versions of a path, oldest first; {@code deleted} when the path no longer exists.
 *
 * @param movedFrom where the file's earlier history is, when it came to this path by a rename
 *                  (its versions there are numbered in that path's history), else null
 */
public record History(String path, boolean deleted, List<VersionInfo> versions, String movedFrom) {
    public History(String path, boolean deleted, List<VersionInfo> versions) {
        this(path, deleted, versions, null);
    }
}
