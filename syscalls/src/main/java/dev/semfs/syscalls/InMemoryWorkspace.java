package dev.semfs.syscalls;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A workspace that lives only in memory, with no persistence: the tree, every version and every
 * snapshot are in the heap and are gone when the process ends. Made by
 * {@link Workspaces#inMemory()}, for tests of the front ends (the mount's contract and
 * differential tests run on it beside the real store) and as the mount benchmark's baseline
 * (FUSE, the binding and the adapter without the store).
 *
 * <p>It keeps the file system semantics of the real workspace: POSIX namespace semantics,
 * handles that survive unlink, a version per release of a written file, snapshots as deep
 * copies, change listeners told after a change. One lock around everything; not fast, just
 * faithful. Operations a mount never makes (diff, restore, search, status, gc, agents,
 * leases, audit, undo, ...) throw UnsupportedOperationException.
 */
final class InMemoryWorkspace implements Workspace {

    private static final class Node {
        final long ino;
        final String type;
        int mode, uid, gid;
        long nlink;
        long atime, mtime, ctime, birth;
        byte[] data = new byte[0];
        int size;
        final TreeMap<String, Node> children;
        final String target;
        final Map<String, byte[]> xattrs = new TreeMap<>();
        final List<Object[]> versions = new ArrayList<>(); // {VersionInfo, byte[]}
        boolean dirty;

        Node(long ino, String type, int mode, int uid, int gid, String target, long now) {
            this.ino = ino;
            this.type = type;
            this.mode = mode;
            this.uid = uid;
            this.gid = gid;
            this.target = target;
            this.children = "directory".equals(type) ? new TreeMap<>() : null;
            this.nlink = 1;
            atime = mtime = ctime = birth = now;
            if (target != null) {
                data = target.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                size = data.length;
            }
        }

        boolean isDir() { return children != null; }

        Node deepCopy() {
            Node n = new Node(ino, type, mode, uid, gid, target, birth);
            n.nlink = nlink; n.atime = atime; n.mtime = mtime; n.ctime = ctime;
            n.data = Arrays.copyOf(data, size); n.size = size;
            if (children != null) children.forEach((k, v) -> n.children.put(k, v.deepCopy()));
            return n;
        }
    }

    /** {@code written}: [0] something to version at release, [1] data written since the last version (a close cuts one). */
    private record OpenFile(Node node, boolean write, boolean[] written, String path) {}

    private record Snap(SnapshotInfo info, Node root) {}

    private final AtomicLong inos = new AtomicLong(1);
    private final AtomicLong handles = new AtomicLong(1);
    private final Node root;
    private final Map<Long, OpenFile> open = new HashMap<>();
    private final Map<String, Node> graveyard = new HashMap<>();
    private final List<Snap> snaps = new ArrayList<>();
    private final AtomicLong calls = new AtomicLong();

    InMemoryWorkspace() {
        root = new Node(inos.getAndIncrement(), "directory", 0755, 0, 0, null, now());
        root.nlink = 2;
    }

    long calls() { return calls.get(); }

    private static long now() {
        java.time.Instant i = java.time.Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    @Override
    public void close() {}

    private final List<dev.semfs.syscalls.ChangeListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public Runnable onChange(dev.semfs.syscalls.ChangeListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** As the real workspace: listeners hear of a change after it is made, outside the lock. */
    @Override
    public <R> R call(Caller caller, Op<R> op) throws IOException {
        R r = callLocked(caller, op);
        if (!listeners.isEmpty()) {
            List<String> paths = switch (op) {
                case Op.WriteFile o -> List.of(o.path());
                case Op.Mkdir o -> List.of(o.path());
                case Op.Remove o -> List.of(o.path());
                case Op.Move o -> List.of(o.from(), o.to());
                case Op.Symlink o -> List.of(o.path());
                case Op.Link o -> List.of(o.existing(), o.path());
                case Op.SetAttr o -> List.of(o.path());
                case Op.Truncate o -> List.of(o.path());
                case Op.Open o -> o.create() || o.truncate() ? List.of(o.path()) : List.<String>of();
                case Op.Rollback o -> List.of(o.path());
                case Op.HandleWrite o -> openedPath(o.handle());
                case Op.HandleAppend o -> openedPath(o.handle());
                case Op.HandleTruncate o -> openedPath(o.handle());
                default -> List.<String>of();
            };
            if (!paths.isEmpty()) for (var l : listeners) l.changed(caller, paths);
        }
        return r;
    }

    private synchronized List<String> openedPath(long handle) {
        OpenFile f = open.get(handle);
        return f == null ? List.of() : List.of(f.path());
    }

    @SuppressWarnings("unchecked")
    private synchronized <R> R callLocked(Caller caller, Op<R> op) throws IOException {
        calls.incrementAndGet();
        Object r = switch (op) {
            case Op.Stat s -> info(s.path(), s.follow() ? follow(s.path(), resolve(s.path())) : resolve(s.path()));
            case Op.ListDir l -> list(l.path(), dir(l.path()));
            case Op.ReadFile rf -> readFile(rf);
            case Op.WriteFile w -> writeFile(caller, w);
            case Op.Mkdir m -> mkdir(caller, m);
            case Op.Remove rm -> remove(rm.path(), rm.recursive());
            case Op.Move mv -> move(mv.from(), mv.to());
            case Op.Symlink sl -> info(sl.path(), create(caller, sl.path(), "symlink", 0777, sl.target()));
            case Op.Link ln -> link(ln.existing(), ln.path());
            case Op.ReadLink rl -> readLink(rl.path());
            case Op.SetAttr sa -> setAttr(sa);
            case Op.Truncate t -> truncate(t.path(), resolveFile(t.path()), t.size(), true);
            case Op.GetXattr g -> getXattr(g);
            case Op.ListXattrs lx -> new XattrNames(List.copyOf(resolve(lx.path()).xattrs.keySet()));
            case Op.SetXattr sx -> setXattr(sx);
            case Op.RemoveXattr rx -> {
                if (resolve(rx.path()).xattrs.remove(rx.name()) == null) throw new SemfsException(ErrorCode.NO_ATTRIBUTE, rx.path(), rx.name());
                yield Done.DONE;
            }
            case Op.StatFs sf -> new FsStats(1L << 40, 1L << 39, 1L << 39, inos.get(), 1L << 30, 255);
            case Op.Open o -> openFile(caller, o);
            case Op.HandleRead hr -> {
                Node n = handle(hr.handle()).node;
                yield new Content(null, slice(n, hr.offset(), hr.length()), hr.offset(), n.size, 0);
            }
            case Op.HandleWrite hw -> handleWrite(hw.handle(), false, hw.offset(), hw.data());
            // The end is read under the one lock the write holds, as the real store does.
            case Op.HandleAppend ha -> handleWrite(ha.handle(), true, 0, ha.data());
            case Op.HandleTruncate ht -> {
                OpenFile f = handle(ht.handle());
                f.written[0] = f.written[1] = true;
                yield truncate(null, f.node, ht.size(), false);
            }
            case Op.HandleStat hs -> info(null, handle(hs.handle()).node);
            case Op.HandleSync sync -> { handle(sync.handle()); yield Done.DONE; }
            case Op.HandleClose hc -> {
                OpenFile f = handle(hc.handle());
                if (f.written[1]) cutVersion(f.node, caller, "write", null);
                if (f.written[1]) f.written[0] = f.written[1] = false;
                yield Done.DONE;
            }
            case Op.Release rel -> {
                OpenFile f = open.remove(rel.handle());
                if (f == null) throw new SemfsException(ErrorCode.BAD_HANDLE, null, "bad handle " + rel.handle());
                if (f.written[0]) cutVersion(f.node, caller, "write", null);
                yield Done.DONE;
            }
            case Op.Log lg -> log(lg.path());
            case Op.ReadVersion rv -> readVersion(rv);
            case Op.Rollback rb -> rollback(caller, rb);
            case Op.Snapshot sn -> {
                SnapshotInfo info = new SnapshotInfo(snaps.size() + 1, sn.name(), now(), 0, caller.agent());
                snaps.add(new Snap(info, root.deepCopy()));
                yield info;
            }
            case Op.ListSnapshots ls -> new Snapshots(snaps.stream().map(Snap::info).toList());
            case Op.SnapshotDir sd -> {
                Node d = walk(snap(sd.snapshot()).root, sd.path());
                if (!d.isDir()) throw new NotDirectoryException(sd.path());
                yield list(sd.path(), d);
            }
            case Op.SnapshotRead sr -> {
                Node f = walk(snap(sr.snapshot()).root, sr.path());
                yield new Content(sr.path(), slice(f, sr.offset(), sr.length()), sr.offset(), f.size, 0);
            }
            default -> throw new UnsupportedOperationException(op.getClass().getSimpleName());
        };
        return (R) r;
    }

    // --- namespace ------------------------------------------------------------------------------

    private static List<String> names(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) if (!s.isEmpty() && !s.equals(".")) out.add(s);
        return out;
    }

    private Node resolve(String path) throws IOException {
        return walk(root, path);
    }

    private static Node walk(Node from, String path) throws IOException {
        Node n = from;
        for (String name : names(path)) {
            if (!n.isDir()) throw new NotDirectoryException(path);
            n = n.children.get(name);
            if (n == null) throw new NoSuchFileException(path);
        }
        return n;
    }

    private Node follow(String path, Node n) throws IOException {
        int hops = 0;
        String p = path;
        while (n.target != null) {
            if (++hops > 40) throw new java.nio.file.FileSystemLoopException(path);
            String t = n.target.startsWith("/") ? n.target : parent(p) + "/" + n.target;
            p = t;
            n = resolve(t);
        }
        return n;
    }

    private Node dir(String path) throws IOException {
        Node d = resolve(path);
        if (!d.isDir()) throw new NotDirectoryException(path);
        return d;
    }

    private Node resolveFile(String path) throws IOException {
        Node n = resolve(path);
        if (n.isDir()) throw SemfsException.isDirectory(path);
        return n;
    }

    private static String parent(String path) {
        List<String> n = names(path);
        return "/" + String.join("/", n.subList(0, Math.max(0, n.size() - 1)));
    }

    private static String leaf(String path) throws IOException {
        List<String> n = names(path);
        if (n.isEmpty()) throw SemfsException.invalid(path, "the root has no name");
        return n.getLast();
    }

    private Node create(Caller c, String path, String type, int mode, String target) throws IOException {
        Node parent = dir(parent(path));
        String name = leaf(path);
        if (parent.children.containsKey(name)) throw new FileAlreadyExistsException(path);
        Node n = new Node(inos.getAndIncrement(), type, mode & 07777, Math.max(c.uid(), 0), Math.max(c.gid(), 0), target, now());
        if (n.isDir()) {
            n.nlink = 2;
            parent.nlink++;
        }
        parent.children.put(name, n);
        parent.mtime = parent.ctime = now();
        return n;
    }

    private FileInfo mkdir(Caller c, Op.Mkdir m) throws IOException {
        if (m.parents()) {
            StringBuilder p = new StringBuilder();
            for (String name : names(m.path())) {
                p.append('/').append(name);
                Node parent = dir(parent(p.toString()));
                if (!parent.children.containsKey(name)) create(c, p.toString(), "directory", m.mode(), null);
            }
            return info(m.path(), resolve(m.path()));
        }
        return info(m.path(), create(c, m.path(), "directory", m.mode(), null));
    }

    private Removed remove(String path, boolean recursive) throws IOException {
        Node parent = dir(parent(path));
        String name = leaf(path);
        Node n = parent.children.get(name);
        if (n == null) throw new NoSuchFileException(path);
        if (n.isDir() && !n.children.isEmpty() && !recursive) throw new DirectoryNotEmptyException(path);
        parent.children.remove(name);
        if (n.isDir()) parent.nlink--;
        parent.mtime = parent.ctime = now();
        unlinked(path, n);
        return new Removed(path, 1);
    }

    private void unlinked(String path, Node n) {
        n.nlink = n.isDir() ? 0 : n.nlink - 1;
        n.ctime = now();
        if (n.nlink == 0 && !n.isDir()) {
            long number = n.versions.size() + 1;
            n.versions.add(new Object[] {new VersionInfo(number, now(), 0, "delete", "owner", null, path), new byte[0]});
            graveyard.put(path, n);
        }
    }

    private FileInfo move(String from, String to) throws IOException {
        Node fromParent = dir(parent(from));
        Node n = fromParent.children.get(leaf(from));
        if (n == null) throw new NoSuchFileException(from);
        Node toParent = dir(parent(to));
        String toName = leaf(to);
        if (n.isDir() && (to + "/").startsWith(from.endsWith("/") ? from : from + "/")) {
            throw SemfsException.invalid(to, "cannot move a directory into itself");
        }
        Node existing = toParent.children.get(toName);
        if (existing == n) return info(to, n);
        if (existing != null) {
            if (n.isDir() && !existing.isDir()) throw new NotDirectoryException(to);
            if (!n.isDir() && existing.isDir()) throw SemfsException.isDirectory(to);
            if (existing.isDir() && !existing.children.isEmpty()) throw new DirectoryNotEmptyException(to);
            toParent.children.remove(toName);
            if (existing.isDir()) toParent.nlink--;
            unlinked(to, existing);
        }
        fromParent.children.remove(leaf(from));
        toParent.children.put(toName, n);
        if (n.isDir()) {
            fromParent.nlink--;
            toParent.nlink++;
        }
        long t = now();
        fromParent.mtime = fromParent.ctime = toParent.mtime = toParent.ctime = n.ctime = t;
        return info(to, n);
    }

    private FileInfo link(String existing, String path) throws IOException {
        Node n = resolve(existing);
        if (n.isDir()) throw new java.nio.file.AccessDeniedException(existing, null, "hard link to a directory");
        Node parent = dir(parent(path));
        String name = leaf(path);
        if (parent.children.containsKey(name)) throw new FileAlreadyExistsException(path);
        parent.children.put(name, n);
        n.nlink++;
        n.ctime = parent.mtime = parent.ctime = now();
        return info(path, n);
    }

    private LinkTarget readLink(String path) throws IOException {
        Node n = resolve(path);
        if (n.target == null) throw SemfsException.invalid(path, "not a symbolic link");
        return new LinkTarget(path, n.target);
    }

    private FileInfo setAttr(Op.SetAttr sa) throws IOException {
        Node n = resolve(sa.path());
        if (sa.mode() != null) n.mode = sa.mode() & 07777;
        if (sa.uid() != null) n.uid = sa.uid();
        if (sa.gid() != null) n.gid = sa.gid();
        if (sa.atime() != null) n.atime = sa.atime();
        if (sa.mtime() != null) n.mtime = sa.mtime();
        n.ctime = now();
        return info(sa.path(), n);
    }

    // --- content --------------------------------------------------------------------------------

    private static byte[] slice(Node n, long offset, int length) {
        if (offset >= n.size) return new byte[0];
        int end = length < 0 ? n.size : (int) Math.min(n.size, offset + length);
        return Arrays.copyOfRange(n.data, (int) offset, end);
    }

    private static void setSize(Node n, long size) throws IOException {
        if (size > Integer.MAX_VALUE - 16) throw new SemfsException(ErrorCode.TOO_LARGE, null, "too large for the fake");
        int s = (int) size;
        if (s > n.data.length) n.data = Arrays.copyOf(n.data, Math.max(s, n.data.length * 2));
        if (s < n.size) Arrays.fill(n.data, s, n.size, (byte) 0);
        n.size = s;
        n.mtime = n.ctime = now();
        n.dirty = true;
    }

    private FileInfo truncate(String path, Node n, long size, boolean cut) throws IOException {
        if (n.isDir()) throw SemfsException.isDirectory(path);
        if (size < 0) throw SemfsException.invalid(path, "negative size");
        setSize(n, size);
        if (cut) cutVersion(n, Caller.owner(), "write", path);
        return info(path, n);
    }

    private Content readFile(Op.ReadFile rf) throws IOException {
        Node n = resolveFile(rf.path());
        return new Content(rf.path(), slice(n, rf.offset(), rf.length()), rf.offset(), n.size, 0);
    }

    private FileInfo writeFile(Caller c, Op.WriteFile w) throws IOException {
        if (w.createParents()) mkdir(c, new Op.Mkdir(parent(w.path()), true, 0755));
        Node n;
        try {
            n = resolveFile(w.path());
        } catch (NoSuchFileException e) {
            n = create(c, w.path(), "file", 0644, null);
        }
        long at = w.append() ? n.size : 0;
        if (!w.append()) setSize(n, 0);
        write(n, at, w.data());
        cutVersion(n, c, "write", w.path());
        return info(w.path(), n);
    }

    private static void write(Node n, long offset, byte[] data) throws IOException {
        long end = offset + data.length;
        if (end > n.size) setSize(n, end);
        System.arraycopy(data, 0, n.data, (int) offset, data.length);
        n.mtime = n.ctime = now();
        n.dirty = true;
    }

    private Handle openFile(Caller c, Op.Open o) throws IOException {
        Node n;
        try {
            n = resolve(o.path());
            if (o.create() && o.exclusive()) throw new FileAlreadyExistsException(o.path());
        } catch (NoSuchFileException e) {
            if (!o.create()) throw e;
            n = create(c, o.path(), "file", o.mode(), null);
        }
        if (n.isDir() && o.write()) throw SemfsException.isDirectory(o.path());
        boolean[] written = {false, false};
        if (o.truncate() && o.write() && n.size > 0) {
            // As the real core: writes through handles still open become a version before the
            // truncate (a multithreaded mount may serve the last writer's release after this).
            boolean pending = false;
            for (OpenFile f : open.values()) {
                if (f.node() == n && f.written()[0]) {
                    pending = true;
                    f.written()[0] = false;
                }
            }
            if (pending) cutVersion(n, c, "write", null);
            setSize(n, 0);
            written[0] = true;
        }
        long id = handles.getAndIncrement();
        open.put(id, new OpenFile(n, o.write(), written, o.path()));
        return new Handle(id, info(o.path(), n));
    }

    private OpenFile handle(long id) throws IOException {
        OpenFile f = open.get(id);
        if (f == null) throw new SemfsException(ErrorCode.BAD_HANDLE, null, "bad handle " + id);
        return f;
    }

    /** Writes at {@code offset}, or at the end of file when {@code append}. Caller holds the lock. */
    private Written handleWrite(long handle, boolean append, long offset, byte[] data) throws IOException {
        OpenFile f = handle(handle);
        if (!f.write) throw new SemfsException(ErrorCode.BAD_HANDLE, null, "not open for writing");
        if (!append && offset < 0) throw SemfsException.invalid(f.path, "negative offset");
        write(f.node, append ? f.node.size : offset, data);
        f.written[0] = f.written[1] = true;
        return new Written(data.length);
    }

    // --- history --------------------------------------------------------------------------------

    private static void cutVersion(Node n, Caller c, String kind, String path) {
        if (!n.dirty && !n.versions.isEmpty()) return;
        long number = n.versions.size() + 1;
        n.versions.add(new Object[] {new VersionInfo(number, now(), n.size, kind, c.agent(), null, path),
                Arrays.copyOf(n.data, n.size)});
        n.dirty = false;
    }

    private Node historyNode(String path) throws IOException {
        try {
            return resolve(path);
        } catch (NoSuchFileException | NotDirectoryException e) {
            Node dead = graveyard.get("/" + String.join("/", names(path)));
            if (dead == null) throw e;
            return dead;
        }
    }

    private History log(String path) throws IOException {
        Node n = historyNode(path);
        if (n.isDir()) return new History(path, false, List.of());
        List<VersionInfo> out = n.versions.stream().map(v -> (VersionInfo) v[0]).toList();
        return new History(path, n.nlink == 0, out);
    }

    private Content readVersion(Op.ReadVersion rv) throws IOException {
        Node n = historyNode(rv.path());
        for (Object[] v : n.versions) {
            if (((VersionInfo) v[0]).number() == rv.version()) {
                byte[] d = (byte[]) v[1];
                int from = (int) Math.min(d.length, rv.offset());
                int to = rv.length() < 0 ? d.length : (int) Math.min(d.length, rv.offset() + rv.length());
                return new Content(rv.path(), Arrays.copyOfRange(d, from, to), rv.offset(), d.length, rv.version());
            }
        }
        throw new NoSuchFileException(rv.path(), null, "no version " + rv.version());
    }

    private RollbackResult rollback(Caller c, Op.Rollback rb) throws IOException {
        Node n = resolveFile(rb.path());
        byte[] d = readVersion(new Op.ReadVersion(rb.path(), rb.target().version(), 0, -1)).data();
        setSize(n, 0);
        write(n, 0, d);
        cutVersion(n, c, "rollback", rb.path());
        return null;
    }

    private Snap snap(String idOrName) throws IOException {
        for (Snap s : snaps) {
            if (Long.toString(s.info.id()).equals(idOrName) || idOrName.equals(s.info.name())) return s;
        }
        throw new NoSuchFileException(idOrName);
    }

    // --- views ----------------------------------------------------------------------------------

    private Listing list(String path, Node dir) {
        List<FileInfo> out = new ArrayList<>();
        String base = path.endsWith("/") ? path : path + "/";
        dir.children.forEach((name, child) -> out.add(info(base + name, child)));
        return new Listing(path, out);
    }

    private static FileInfo info(String path, Node n) {
        String name = path == null ? null : path.substring(path.lastIndexOf('/') + 1);
        long version = n.versions.isEmpty() ? 0 : ((VersionInfo) n.versions.getLast()[0]).number();
        return new FileInfo(path, name, n.ino, n.type, n.mode, n.uid, n.gid, n.nlink, n.size, n.atime, n.mtime,
                n.ctime, n.birth, version, n.dirty, n.target);
    }

    private XattrValue getXattr(Op.GetXattr g) throws IOException {
        byte[] v = resolve(g.path()).xattrs.get(g.name());
        if (v == null) throw new SemfsException(ErrorCode.NO_ATTRIBUTE, g.path(), g.name());
        return new XattrValue(g.name(), v.clone());
    }

    private Done setXattr(Op.SetXattr sx) throws IOException {
        Node n = resolve(sx.path());
        boolean exists = n.xattrs.containsKey(sx.name());
        if (sx.mode() == 1 && exists) throw new FileAlreadyExistsException(sx.path(), null, sx.name());
        if (sx.mode() == 2 && !exists) throw new SemfsException(ErrorCode.NO_ATTRIBUTE, sx.path(), sx.name());
        n.xattrs.put(sx.name(), sx.value().clone());
        n.ctime = now();
        return Done.DONE;
    }
}
