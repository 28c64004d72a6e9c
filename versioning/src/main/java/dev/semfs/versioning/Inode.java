package dev.semfs.versioning;

/**
 * A snapshot of one node's metadata. Times are nanoseconds since the epoch.
 *
 * @param latestVersion number of the newest version of this node, 0 when it has none yet
 * @param changedSinceVersion true when the live content or mode differs from the newest version
 * @param symlinkTarget the target of a symlink, null for other types
 */
public record Inode(long ino, FileType type, int mode, int uid, int gid, long nlink, long size,
                    long atime, long mtime, long ctime, long birthtime, long latestVersion,
                    boolean changedSinceVersion, String symlinkTarget) {
    public boolean isDirectory() { return type == FileType.DIRECTORY; }
    public boolean isFile() { return type == FileType.FILE; }
    public boolean isSymlink() { return type == FileType.SYMLINK; }
}
