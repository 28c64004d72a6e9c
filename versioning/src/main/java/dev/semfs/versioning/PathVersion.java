package dev.semfs.versioning;

/**
 * One entry of a path's history: the path-level version number users see, and the node version
 * it stands for. A path's history continues across nodes: an editor that saves by writing a new
 * file and renaming it over the old one still gives one history per path.
 *
 * @param number  1-based number of this entry in the path's history
 * @param version the node's version, 0 for a {@link VersionKind#MOVED} entry
 * @param time    nanoseconds since the epoch
 */
public record PathVersion(String path, long number, long ino, long version, long time, VersionKind kind) {
    /** True when the path stopped existing at this entry (deleted or renamed away). */
    public boolean isGone() {
        return kind == VersionKind.DELETE || kind == VersionKind.MOVED;
    }
}
