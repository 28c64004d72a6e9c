package dev.semfs.fuse.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.FileInfo;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The read-only {@code /.semfs} directory: a fixed root whose children are {@link VirtualTree}s
 * (versions, snapshots; search plugs in through {@link #register}). It turns a tree's
 * {@link VirtualTree.Node}s into the {@link FileInfo}s the binding reports: owned by the user who
 * mounted, no write bits, one link, and inode numbers of their own (top bits set, assigned per
 * path for the life of the mount) so tools that detect hard links by inode (tar, cp -a, du)
 * never confuse a version or snapshot entry with a live file.
 *
 * <p>Thread-safe.
 */
final class ControlTree {
    static final String NAME = ".semfs";
    static final String ROOT = "/" + NAME;
    private static final long INO_BASE = 1L << 62;

    private final Map<String, VirtualTree> trees = new LinkedHashMap<>();
    private final Map<String, Long> inodes = new ConcurrentHashMap<>();
    private final AtomicLong nextIno = new AtomicLong(INO_BASE);
    private final int uid;
    private final int gid;
    private final long mountTime;

    ControlTree(int uid, int gid, long mountTime) {
        this.uid = uid;
        this.gid = gid;
        this.mountTime = mountTime;
    }

    /** Adds a subtree; call before mounting (the map is not synchronised for later changes). */
    ControlTree register(VirtualTree tree) {
        trees.put(tree.name(), tree);
        return this;
    }

    /** True for {@code /.semfs} and everything below it. */
    static boolean owns(String path) {
        return path != null && path.startsWith(ROOT) && (path.length() == ROOT.length() || path.charAt(ROOT.length()) == '/');
    }

    static SemfsException readOnly(String path) {
        return new SemfsException(ErrorCode.READ_ONLY, path, "the .semfs tree is read-only");
    }

    FileInfo stat(Caller caller, String path) throws IOException {
        if (path.equals(ROOT)) return info(path, VirtualTree.Node.dir(NAME, mountTime));
        Resolved r = resolve(path);
        if (r.sub.isEmpty()) return info(path, VirtualTree.Node.dir(r.tree.name(), mountTime));
        return info(path, r.tree.stat(caller, r.sub));
    }

    List<FileInfo> list(Caller caller, String path) throws IOException {
        List<FileInfo> out = new ArrayList<>();
        if (path.equals(ROOT)) {
            for (VirtualTree t : trees.values()) out.add(info(ROOT + "/" + t.name(), VirtualTree.Node.dir(t.name(), mountTime)));
            return out;
        }
        Resolved r = resolve(path);
        for (VirtualTree.Node n : r.tree.list(caller, r.sub)) out.add(info(path + "/" + n.name(), n));
        return out;
    }

    VirtualTree.VirtualFile open(Caller caller, String path) throws IOException {
        if (path.equals(ROOT)) throw SemfsException.isDirectory(path);
        Resolved r = resolve(path);
        if (r.sub.isEmpty()) throw SemfsException.isDirectory(path);
        return r.tree.open(caller, r.sub);
    }

    String readlink(Caller caller, String path) throws IOException {
        FileInfo fi = stat(caller, path);
        if (!fi.isSymlink()) throw SemfsException.invalid(path, "not a symbolic link");
        return fi.symlinkTarget();
    }

    private record Resolved(VirtualTree tree, String sub) {}

    private Resolved resolve(String path) throws NoSuchFileException {
        String rest = path.substring(ROOT.length() + 1);
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        VirtualTree tree = trees.get(name);
        if (tree == null) throw new NoSuchFileException(path);
        return new Resolved(tree, slash < 0 ? "" : rest.substring(slash));
    }

    private FileInfo info(String path, VirtualTree.Node n) {
        long ino = inodes.computeIfAbsent(path, p -> nextIno.getAndIncrement());
        int mode = n.isDirectory() ? 0555 : "symlink".equals(n.type()) ? 0777 : 0444;
        return new FileInfo(path, n.name(), ino, n.type(), mode, uid, gid, n.isDirectory() ? 2 : 1, n.size(),
                n.mtime(), n.mtime(), n.mtime(), n.mtime(), 0, false, n.target());
    }
}
