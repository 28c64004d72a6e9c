package dev.semfs.versioning;

/**
 * One immutable version of a node. Content is addressed by chunk hashes inside the store and is
 * not exposed here; read it with {@link WorkspaceStore#readVersion}.
 *
 * @param number 1-based, dense per node
 * @param time   nanoseconds since the epoch
 * @param path   path of the node when the version was cut
 */
public record VersionRecord(long ino, long number, long time, FileType type, long size, int mode,
                            VersionKind kind, String agent, String reason, String path,
                            String symlinkTarget) {
    public boolean isTombstone() { return kind == VersionKind.DELETE; }
}
