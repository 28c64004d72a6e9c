package dev.semfs.cli.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.Content;
import dev.semfs.syscalls.DiffResult;
import dev.semfs.syscalls.Done;
import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.GcInfo;
import dev.semfs.syscalls.Handle;
import dev.semfs.syscalls.History;
import dev.semfs.syscalls.LinkTarget;
import dev.semfs.syscalls.Listing;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Removed;
import dev.semfs.syscalls.RollbackResult;
import dev.semfs.syscalls.SnapshotInfo;
import dev.semfs.syscalls.Snapshots;
import dev.semfs.syscalls.StatusInfo;
import dev.semfs.syscalls.VersionInfo;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Written;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A hand-written fake of the core API for the command-line tests, path-keyed and in memory: just
 * enough of the contract (normalised paths, NIO exceptions, a version per written file, rollback
 * and snapshots as new versions) to exercise every subcommand before the real store exists.
 * Not thread-safe; the tests call it from one thread.
 */
final class InMemoryWorkspace implements Workspace {
    private static final class Node {
        final String type;
        int mode;
        byte[] data = new byte[0];
        String target;
        long mtime;

        Node(String type, int mode) {
            this.type = type;
            this.mode = mode;
        }
    }

    private record Version(VersionInfo info, byte[] data) {}

    private record SnapNode(String type, int mode, byte[] data, String target) {}

    private final Clock clock;
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final Map<String, List<Version>> histories = new HashMap<>();
    private final Map<Long, String> handles = new HashMap<>();
    private final Map<Long, Boolean> handleWritten = new HashMap<>();
    private final List<SnapshotInfo> snapshots = new ArrayList<>();
    private final Map<Long, TreeMap<String, SnapNode>> snapshotContent = new HashMap<>();
    private long nextHandle = 1;
    boolean closed;

    InMemoryWorkspace(Clock clock) {
        this.clock = clock;
        nodes.put("/", new Node("directory", 0755));
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> R call(Caller caller, Op<R> op) throws IOException {
        if (closed) throw new IllegalStateException("closed");
        return (R) switch (op) {
            case Op.Stat o -> info(norm(o.path()));
            case Op.ListDir o -> list(norm(o.path()));
            case Op.ReadFile o -> read(norm(o.path()), o.offset(), o.length());
            case Op.WriteFile o -> write(caller, norm(o.path()), o.data(), o.append(), o.createParents());
            case Op.Mkdir o -> mkdir(norm(o.path()), o.parents(), o.mode());
            case Op.Remove o -> remove(caller, norm(o.path()), o.recursive());
            case Op.Move o -> move(norm(o.from()), norm(o.to()));
            case Op.Symlink o -> symlink(norm(o.path()), o.target());
            case Op.ReadLink o -> new LinkTarget(norm(o.path()), existing(norm(o.path())).target);
            case Op.Open o -> open(norm(o.path()), o.create(), o.truncate(), o.mode());
            case Op.HandleWrite o -> handleWrite(o.handle(), o.offset(), o.data());
            case Op.Release o -> release(caller, o.handle());
            case Op.Log o -> log(norm(o.path()));
            case Op.Diff o -> diff(norm(o.path()), o.from(), o.to());
            case Op.Rollback o -> rollback(caller, norm(o.path()), o.target());
            case Op.Snapshot o -> snapshot(caller, o.name());
            case Op.ListSnapshots o -> new Snapshots(List.copyOf(snapshots));
            case Op.Restore o -> restore(caller, o.snapshot(), o.path() == null ? "/" : norm(o.path()));
            case Op.Status o -> status(o.check());
            case Op.Gc o -> new GcInfo(o.retention(), 0, 0, 0, 0);
            default -> throw new UnsupportedOperationException(op.getClass().getSimpleName() + " is not in the fake");
        };
    }

    static String norm(String path) throws SemfsException {
        if (path.indexOf('\0') >= 0) throw SemfsException.invalid(path.replace("\0", "\\0"), "NUL in path");
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) {
                if (parts.isEmpty()) throw SemfsException.invalid(path, "path escapes the root");
                parts.removeLast();
            } else {
                parts.add(p);
            }
        }
        return "/" + String.join("/", parts);
    }

    private static String parent(String p) {
        int i = p.lastIndexOf('/');
        return i <= 0 ? "/" : p.substring(0, i);
    }

    private static String name(String p) {
        return p.equals("/") ? "/" : p.substring(p.lastIndexOf('/') + 1);
    }

    private Node existing(String p) throws NoSuchFileException {
        Node n = nodes.get(p);
        if (n == null) throw new NoSuchFileException(p);
        return n;
    }

    private Node dir(String p) throws IOException {
        Node n = existing(p);
        if (!n.type.equals("directory")) throw new NotDirectoryException(p);
        return n;
    }

    private FileInfo info(String p) throws NoSuchFileException {
        Node n = existing(p);
        List<Version> h = histories.getOrDefault(p, List.of());
        long v = h.isEmpty() ? 0 : h.getLast().info().number();
        return new FileInfo(p, name(p), p.hashCode(), n.type, n.mode, 0, 0, 1, n.data.length, n.mtime, n.mtime,
                n.mtime, n.mtime, v, false, n.target);
    }

    private List<String> children(String dir) {
        String prefix = dir.equals("/") ? "/" : dir + "/";
        List<String> out = new ArrayList<>();
        for (String k : nodes.tailMap(prefix, false).keySet()) {
            if (!k.startsWith(prefix)) break;
            if (k.indexOf('/', prefix.length()) < 0) out.add(k);
        }
        return out;
    }

    private Listing list(String p) throws IOException {
        dir(p);
        List<FileInfo> entries = new ArrayList<>();
        for (String c : children(p)) entries.add(info(c));
        return new Listing(p, entries);
    }

    private Content read(String p, long offset, int length) throws IOException {
        Node n = existing(p);
        if (n.type.equals("directory")) throw SemfsException.isDirectory(p);
        int from = (int) Math.min(offset, n.data.length);
        int to = length < 0 ? n.data.length : (int) Math.min(n.data.length, from + (long) length);
        List<Version> h = histories.getOrDefault(p, List.of());
        return new Content(p, Arrays.copyOfRange(n.data, from, to), offset, n.data.length,
                h.isEmpty() ? 0 : h.getLast().info().number());
    }

    private long now() {
        Instant t = clock.instant();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private long cut(Caller c, String p, String kind, String reason) {
        Node n = nodes.get(p);
        List<Version> h = histories.computeIfAbsent(p, k -> new ArrayList<>());
        long number = h.size() + 1;
        byte[] data = n == null ? new byte[0] : n.data.clone();
        h.add(new Version(new VersionInfo(number, now(), data.length, kind, c.agent(), reason, p), data));
        return number;
    }

    private FileInfo write(Caller c, String p, byte[] data, boolean append, boolean parents) throws IOException {
        if (parents) mkdir(parent(p), true, 0755);
        dir(parent(p));
        Node n = nodes.get(p);
        boolean created = n == null;
        if (n == null) nodes.put(p, n = new Node("file", 0644));
        if (n.type.equals("directory")) throw SemfsException.isDirectory(p);
        if (append) {
            byte[] both = Arrays.copyOf(n.data, n.data.length + data.length);
            System.arraycopy(data, 0, both, n.data.length, data.length);
            n.data = both;
        } else {
            n.data = data.clone();
        }
        n.mtime = now();
        cut(c, p, created ? "create" : "write", "write");
        return info(p);
    }

    private FileInfo mkdir(String p, boolean parents, int mode) throws IOException {
        Node n = nodes.get(p);
        if (n != null) {
            if (parents && n.type.equals("directory")) return info(p);
            throw new FileAlreadyExistsException(p);
        }
        if (!nodes.containsKey(parent(p))) {
            if (!parents) throw new NoSuchFileException(parent(p));
            mkdir(parent(p), true, mode);
        }
        dir(parent(p));
        Node d = new Node("directory", mode);
        d.mtime = now();
        nodes.put(p, d);
        return info(p);
    }

    private Removed remove(Caller c, String p, boolean recursive) throws IOException {
        if (p.equals("/")) throw SemfsException.invalid(p, "cannot remove the root");
        Node n = existing(p);
        if (n.type.equals("directory") && !children(p).isEmpty() && !recursive) throw new DirectoryNotEmptyException(p);
        List<String> doomed = new ArrayList<>(nodes.subMap(p, true, p + "/\uffff", true).keySet());
        doomed.removeIf(k -> !k.equals(p) && !k.startsWith(p + "/"));
        for (String k : doomed) {
            if (nodes.get(k).type.equals("file")) {
                nodes.get(k).data = new byte[0];
                cut(c, k, "delete", "rm");
            }
            nodes.remove(k);
        }
        return new Removed(p, doomed.size());
    }

    private FileInfo move(String from, String to) throws IOException {
        existing(from);
        dir(parent(to));
        Node target = nodes.get(to);
        if (target != null && target.type.equals("directory")) throw SemfsException.isDirectory(to);
        List<String> keys = new ArrayList<>(nodes.subMap(from, true, from + "/\uffff", true).keySet());
        keys.removeIf(k -> !k.equals(from) && !k.startsWith(from + "/"));
        for (String k : keys) {
            String nk = to + k.substring(from.length());
            nodes.put(nk, nodes.remove(k));
            List<Version> h = histories.remove(k);
            if (h != null) histories.put(nk, h);
        }
        return info(to);
    }

    private FileInfo symlink(String p, String target) throws IOException {
        dir(parent(p));
        if (nodes.containsKey(p)) throw new FileAlreadyExistsException(p);
        Node n = new Node("symlink", 0777);
        n.target = target;
        nodes.put(p, n);
        return info(p);
    }

    private Handle open(String p, boolean create, boolean truncate, int mode) throws IOException {
        Node n = nodes.get(p);
        if (n == null) {
            if (!create) throw new NoSuchFileException(p);
            dir(parent(p));
            nodes.put(p, n = new Node("file", mode));
        }
        if (n.type.equals("directory")) throw SemfsException.isDirectory(p);
        if (truncate) n.data = new byte[0];
        long id = nextHandle++;
        handles.put(id, p);
        handleWritten.put(id, truncate);
        return new Handle(id, info(p));
    }

    private Written handleWrite(long h, long offset, byte[] data) throws IOException {
        String p = handles.get(h);
        if (p == null) throw new SemfsException(ErrorCode.BAD_HANDLE, null, "no handle " + h);
        Node n = existing(p);
        int end = (int) offset + data.length;
        if (end > n.data.length) n.data = Arrays.copyOf(n.data, end);
        System.arraycopy(data, 0, n.data, (int) offset, data.length);
        n.mtime = now();
        handleWritten.put(h, true);
        return new Written(data.length);
    }

    private Done release(Caller c, long h) throws IOException {
        String p = handles.remove(h);
        if (p == null) throw new SemfsException(ErrorCode.BAD_HANDLE, null, "no handle " + h);
        if (handleWritten.remove(h)) cut(c, p, histories.containsKey(p) ? "write" : "create", "close");
        return Done.DONE;
    }

    private History log(String p) throws IOException {
        List<Version> h = histories.get(p);
        if (h == null) throw new NoSuchFileException(p);
        return new History(p, !nodes.containsKey(p), h.stream().map(Version::info).toList());
    }

    private Version version(String p, long number) throws IOException {
        List<Version> h = histories.get(p);
        if (h == null || number < 1 || number > h.size()) throw new NoSuchFileException(p, null, "no version " + number);
        return h.get((int) number - 1);
    }

    private DiffResult diff(String p, Long from, Long to) throws IOException {
        List<Version> h = histories.get(p);
        if (h == null) throw new NoSuchFileException(p);
        byte[] newer = to == null ? existing(p).data : version(p, to).data();
        long fromNumber = from != null ? from : (to == null ? h.size() : to - 1);
        byte[] older = fromNumber == 0 ? new byte[0] : version(p, fromNumber).data();
        List<String> a = lines(older);
        List<String> b = lines(newer);
        StringBuilder u = new StringBuilder("--- " + p + "@" + fromNumber + "\n+++ " + p + "\n");
        int removed = 0;
        int added = 0;
        for (String l : a) if (!b.contains(l)) { u.append('-').append(l).append('\n'); removed++; }
        for (String l : b) if (!a.contains(l)) { u.append('+').append(l).append('\n'); added++; }
        return new DiffResult(p, fromNumber, to == null ? -1 : to, removed + added == 0 ? "" : u.toString(), added,
                removed, List.of(), false);
    }

    private static List<String> lines(byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n", -1));
    }

    private RollbackResult rollback(Caller c, String p, Op.RollbackTarget t) throws IOException {
        List<Version> h = histories.get(p);
        if (h == null) throw new NoSuchFileException(p);
        long number;
        if (t.version() != null) number = t.version();
        else if (t.back() != null) number = h.size() - t.back();
        else {
            long at = t.at().getEpochSecond() * 1_000_000_000L + t.at().getNano();
            number = 0;
            for (Version v : h) if (v.info().time() <= at) number = v.info().number();
            if (number == 0) throw new NoSuchFileException(p, null, "no version at " + t.at());
        }
        Version v = version(p, number);
        long before = h.getLast().info().number();
        Node n = nodes.get(p);
        boolean recreated = n == null;
        if (n == null) nodes.put(p, n = new Node("file", 0644));
        n.data = v.data().clone();
        long created = cut(c, p, "rollback", "rollback to " + number);
        return new RollbackResult(List.of(new RollbackResult.Entry(p, recreated ? "recreated" : "restored", before, created)));
    }

    private SnapshotInfo snapshot(Caller c, String name) {
        long id = snapshots.size() + 1;
        TreeMap<String, SnapNode> content = new TreeMap<>();
        nodes.forEach((k, n) -> content.put(k, new SnapNode(n.type, n.mode, n.data.clone(), n.target)));
        snapshotContent.put(id, content);
        SnapshotInfo info = new SnapshotInfo(id, name, now(), content.size(), c.agent());
        snapshots.add(info);
        return info;
    }

    private RollbackResult restore(Caller c, String snapshot, String prefix) throws IOException {
        SnapshotInfo s = snapshots.stream()
                .filter(i -> String.valueOf(i.id()).equals(snapshot) || snapshot.equals(i.name()))
                .findFirst().orElseThrow(() -> new NoSuchFileException(snapshot, null, "no such snapshot"));
        TreeMap<String, SnapNode> content = snapshotContent.get(s.id());
        List<RollbackResult.Entry> changed = new ArrayList<>();
        for (String live : new ArrayList<>(nodes.keySet())) {
            if (under(live, prefix) && !content.containsKey(live) && nodes.containsKey(live)) {
                remove(c, live, true);
                changed.add(new RollbackResult.Entry(live, "removed", 0, 0));
            }
        }
        for (var e : content.entrySet()) {
            if (!under(e.getKey(), prefix)) continue;
            Node n = nodes.get(e.getKey());
            SnapNode sn = e.getValue();
            if (sn.type().equals("directory")) {
                if (n == null) mkdir(e.getKey(), true, sn.mode());
                continue;
            }
            if (n != null && Arrays.equals(n.data, sn.data())) continue;
            long before = histories.containsKey(e.getKey()) ? histories.get(e.getKey()).getLast().info().number() : 0;
            if (n == null) nodes.put(e.getKey(), n = new Node(sn.type(), sn.mode()));
            n.data = sn.data().clone();
            n.target = sn.target();
            long v = cut(c, e.getKey(), "restore", "restore " + snapshot);
            changed.add(new RollbackResult.Entry(e.getKey(), before == 0 ? "recreated" : "restored", before, v));
        }
        return new RollbackResult(changed);
    }

    private static boolean under(String p, String prefix) {
        return prefix.equals("/") || p.equals(prefix) || p.startsWith(prefix + "/");
    }

    private StatusInfo status(boolean check) {
        long files = nodes.values().stream().filter(n -> n.type.equals("file")).count();
        long dirs = nodes.values().stream().filter(n -> n.type.equals("directory")).count();
        long links = nodes.values().stream().filter(n -> n.type.equals("symlink")).count();
        long versions = histories.values().stream().mapToLong(List::size).sum();
        long bytes = nodes.values().stream().mapToLong(n -> n.data.length).sum();
        return new StatusInfo("memory", files, dirs, links, versions, 0, bytes, 0, snapshots.size(), 0, -1, null,
                check ? List.of() : null);
    }
}
