package dev.semfs.syscalls;

/**
 * Metadata of one node as the core API reports it. Times are nanoseconds since the epoch.
 *
 * @param type    "file", "directory" or "symlink"
 * @param version newest version number, 0 if none yet
 * @param dirty   true when the live content differs from the newest version
 */
public record FileInfo(String path, String name, long ino, String type, int mode, int uid, int gid,
                       long nlink, long size, long atime, long mtime, long ctime, long birthtime,
                       long version, boolean dirty, String symlinkTarget) {
    public boolean isDirectory() { return "directory".equals(type); }
    public boolean isFile() { return "file".equals(type); }
    public boolean isSymlink() { return "symlink".equals(type); }
}
