package dev.semfs.fuse.internal;

import dev.semfs.syscalls.Caller;
import java.io.IOException;
import java.util.List;

/**
 * One read-only subtree of {@code /.semfs} (versions, snapshots, and later search). A tree is a
 * view computed from core calls on every request; it holds no state of its own, so what another
 * front end changes shows at once.
 *
 * <p>Paths handed to a tree are relative to its own root: {@code ""} is the root, otherwise
 * {@code "/a/b"}. Implementations are thread-safe and report their nodes as {@link Node}s whose
 * inode numbers {@link ControlTree} assigns.
 */
interface VirtualTree {

    /** The name under {@code /.semfs}. */
    String name();

    Node stat(Caller caller, String sub) throws IOException;

    /** Children of a directory node, without "." and "..". */
    List<Node> list(Caller caller, String sub) throws IOException;

    /** Opens a file node for reading. */
    VirtualFile open(Caller caller, String sub) throws IOException;

    /**
     * One node of a virtual tree.
     *
     * @param name   last path component
     * @param type   "file", "directory" or "symlink"
     * @param size   bytes (files), target length (symlinks)
     * @param mtime  nanoseconds since the epoch
     * @param target symlink target, else null
     */
    record Node(String name, String type, long size, long mtime, String target) {
        static Node dir(String name, long mtime) { return new Node(name, "directory", 0, mtime, null); }
        static Node file(String name, long size, long mtime) { return new Node(name, "file", size, mtime, null); }
        static Node symlink(String name, String target, long mtime) {
            return new Node(name, "symlink", target.length(), mtime, target);
        }
        boolean isDirectory() { return "directory".equals(type); }
    }

    /** An open read-only virtual file. Thread-safe. */
    interface VirtualFile {
        long size();

        /** Up to {@code length} bytes from {@code offset}; empty at or past the end. */
        byte[] read(long offset, int length) throws IOException;
    }
}
