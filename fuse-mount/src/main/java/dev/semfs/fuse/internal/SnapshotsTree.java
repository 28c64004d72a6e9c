package dev.semfs.fuse.internal;

import dev.semfs.errors.SemfsException;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.SnapshotInfo;
import dev.semfs.syscalls.Workspace;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /.semfs/snapshots}: one directory per workspace snapshot, named by its id, holding the
 * workspace as of that snapshot; a named snapshot also appears as a symlink from its name to the
 * id directory (so {@code cd .semfs/snapshots/before-refactor} works and {@code ls} shows both
 * without listing a tree twice). Names that are numbers or contain '/' get no symlink.
 *
 * <p>Listings come from {@link Op.SnapshotDir}, content from {@link Op.SnapshotRead} at the
 * requested offset. Thread-safe, stateless.
 */
final class SnapshotsTree implements VirtualTree {
    private final Workspace workspace;

    SnapshotsTree(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public String name() {
        return "snapshots";
    }

    @Override
    public Node stat(Caller caller, String sub) throws IOException {
        Where w = where(caller, sub);
        if (w.inner.isEmpty()) {
            String first = firstName(sub);
            if (!first.equals(Long.toString(w.snapshot.id()))) {
                return Node.symlink(first, Long.toString(w.snapshot.id()), w.snapshot.time());
            }
            return Node.dir(first, w.snapshot.time());
        }
        return node(find(caller, w, sub));
    }

    @Override
    public List<Node> list(Caller caller, String sub) throws IOException {
        List<Node> out = new ArrayList<>();
        if (sub.isEmpty()) {
            for (SnapshotInfo s : snapshots(caller)) {
                out.add(Node.dir(Long.toString(s.id()), s.time()));
                if (hasLinkName(s)) out.add(Node.symlink(s.name(), Long.toString(s.id()), s.time()));
            }
            return out;
        }
        Where w = where(caller, sub);
        String dir = w.inner.isEmpty() ? "/" : w.inner;
        for (FileInfo fi : workspace.call(caller, new Op.SnapshotDir(Long.toString(w.snapshot.id()), dir)).entries()) {
            out.add(node(fi));
        }
        return out;
    }

    @Override
    public VirtualFile open(Caller caller, String sub) throws IOException {
        Where w = where(caller, sub);
        if (w.inner.isEmpty()) throw SemfsException.isDirectory("/.semfs/snapshots" + sub);
        FileInfo fi = find(caller, w, sub);
        if (fi.isDirectory()) throw SemfsException.isDirectory("/.semfs/snapshots" + sub);
        String id = Long.toString(w.snapshot.id());
        long size = fi.size();
        return new VirtualFile() {
            @Override public long size() { return size; }
            @Override public byte[] read(long offset, int length) throws IOException {
                return workspace.call(caller, new Op.SnapshotRead(id, w.inner, offset, length)).data();
            }
        };
    }

    private record Where(SnapshotInfo snapshot, String inner) {}

    /** Splits {@code /<id-or-name>/rest} into the snapshot and the path inside it. */
    private Where where(Caller caller, String sub) throws IOException {
        String first = firstName(sub);
        String inner = sub.substring(1 + first.length());
        for (SnapshotInfo s : snapshots(caller)) {
            if (first.equals(Long.toString(s.id()))) return new Where(s, inner);
        }
        for (SnapshotInfo s : snapshots(caller)) {
            if (hasLinkName(s) && first.equals(s.name())) {
                // Below a name the kernel follows the symlink itself; only the link is ours to report.
                if (!inner.isEmpty()) throw new NoSuchFileException("/.semfs/snapshots" + sub);
                return new Where(s, inner);
            }
        }
        throw new NoSuchFileException("/.semfs/snapshots" + sub);
    }

    private FileInfo find(Caller caller, Where w, String sub) throws IOException {
        int slash = w.inner.lastIndexOf('/');
        String parent = slash == 0 ? "/" : w.inner.substring(0, slash);
        String name = w.inner.substring(slash + 1);
        for (FileInfo fi : workspace.call(caller, new Op.SnapshotDir(Long.toString(w.snapshot.id()), parent)).entries()) {
            if (fi.name().equals(name)) return fi;
        }
        throw new NoSuchFileException("/.semfs/snapshots" + sub);
    }

    private List<SnapshotInfo> snapshots(Caller caller) throws IOException {
        return workspace.call(caller, new Op.ListSnapshots()).snapshots();
    }

    private static boolean hasLinkName(SnapshotInfo s) {
        String n = s.name();
        return n != null && !n.isBlank() && n.indexOf('/') < 0 && !n.chars().allMatch(Character::isDigit)
                && !n.equals(".") && !n.equals("..");
    }

    private static Node node(FileInfo fi) {
        return new Node(fi.name(), fi.type(), fi.size(), fi.mtime(), fi.symlinkTarget());
    }

    private static String firstName(String sub) {
        int next = sub.indexOf('/', 1);
        return next < 0 ? sub.substring(1) : sub.substring(1, next);
    }
}
