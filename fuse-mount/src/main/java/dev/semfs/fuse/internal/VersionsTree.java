package dev.semfs.fuse.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.History;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.VersionInfo;
import dev.semfs.syscalls.Workspace;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /.semfs/versions}: the live tree mirrored as directories, where every file (or symlink)
 * becomes a directory holding one read-only file per version. A version file is named
 * {@code NNNN@YYYY-MM-DDTHH-MM-SSZ} (number zero-padded to four digits so {@code ls} sorts it,
 * UTC time with '-' for ':' so the name needs no quoting and survives scp, make and Windows
 * shares); a bare number ({@code .semfs/versions/a.txt/3}) reaches the same file without being
 * listed. A deleted file is not listed in its parent but stays reachable by name. Deletion
 * markers are not listed (they have no content).
 *
 * <p>Content comes from {@link Op.ReadVersion} at the offset asked for. Thread-safe, stateless.
 */
final class VersionsTree implements VirtualTree {
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'").withZone(ZoneOffset.UTC);

    private final Workspace workspace;

    VersionsTree(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public String name() {
        return "versions";
    }

    /** The listed name of a version. */
    static String fileName(VersionInfo v) {
        return String.format("%04d@%s", v.number(), TIME.format(Instant.EPOCH.plusNanos(v.time())));
    }

    @Override
    public Node stat(Caller caller, String sub) throws IOException {
        FileInfo live = liveOrNull(caller, sub);
        if (live != null) {
            if (live.isDirectory()) return Node.dir(live.name(), live.mtime());
            return versionDir(caller, sub, live.name());
        }
        List<VersionInfo> own = versions(caller, sub);
        if (!own.isEmpty()) return Node.dir(lastName(sub), own.getLast().time());
        return versionFile(caller, sub);
    }

    @Override
    public List<Node> list(Caller caller, String sub) throws IOException {
        FileInfo live = liveOrNull(caller, sub);
        if (live != null && live.isDirectory()) {
            List<Node> out = new ArrayList<>();
            for (FileInfo child : workspace.call(caller, new Op.ListDir(path(sub))).entries()) {
                if (sub.isEmpty() && ControlTree.NAME.equals(child.name())) continue;
                out.add(Node.dir(child.name(), child.mtime()));
            }
            return out;
        }
        List<VersionInfo> versions = versions(caller, sub);
        if (live == null && versions.isEmpty()) {
            versionFile(caller, sub); // throws the right error: a file is not a directory, else not found
            throw new SemfsException(ErrorCode.NOT_DIRECTORY, "/.semfs/versions" + sub, "not a directory");
        }
        List<Node> out = new ArrayList<>();
        for (VersionInfo v : versions) out.add(Node.file(fileName(v), v.size(), v.time()));
        return out;
    }

    @Override
    public VirtualFile open(Caller caller, String sub) throws IOException {
        Node node = stat(caller, sub);
        if (node.isDirectory()) throw SemfsException.isDirectory("/.semfs/versions" + sub);
        String file = path(parent(sub));
        long number = parseNumber(lastName(sub));
        long size = node.size();
        return new VirtualFile() {
            @Override public long size() { return size; }
            @Override public byte[] read(long offset, int length) throws IOException {
                return workspace.call(caller, new Op.ReadVersion(file, number, offset, length)).data();
            }
        };
    }

    private Node versionDir(Caller caller, String sub, String name) throws IOException {
        List<VersionInfo> v = versions(caller, sub);
        long mtime = v.isEmpty() ? 0 : v.getLast().time();
        return Node.dir(name, mtime);
    }

    /** {@code sub} as a version file: its parent has history and its name picks one version. */
    private Node versionFile(Caller caller, String sub) throws IOException {
        String notFound = "/.semfs/versions" + sub;
        if (sub.isEmpty()) throw new NoSuchFileException(notFound);
        String parent = parent(sub);
        FileInfo parentLive = liveOrNull(caller, parent);
        if (parentLive != null && parentLive.isDirectory()) throw new NoSuchFileException(notFound);
        String name = lastName(sub);
        long number = parseNumber(name);
        if (number < 0) throw new NoSuchFileException(notFound);
        for (VersionInfo v : versions(caller, parent)) {
            if (v.number() == number && (name.equals(fileName(v)) || name.equals(Long.toString(number)))) {
                return Node.file(name, v.size(), v.time());
            }
        }
        throw new NoSuchFileException(notFound);
    }

    /** Content versions of a workspace path, oldest first; empty when it has none. */
    private List<VersionInfo> versions(Caller caller, String sub) throws IOException {
        if (sub.isEmpty()) return List.of();
        History h;
        try {
            h = workspace.call(caller, new Op.Log(path(sub)));
        } catch (IOException e) {
            if (isAbsent(e)) return List.of();
            throw e;
        }
        return h.versions().stream().filter(v -> !"delete".equals(v.kind())).toList();
    }

    private FileInfo liveOrNull(Caller caller, String sub) throws IOException {
        try {
            return workspace.call(caller, new Op.Stat(path(sub), false));
        } catch (IOException e) {
            if (isAbsent(e)) return null;
            throw e;
        }
    }

    private static boolean isAbsent(IOException e) {
        ErrorCode c = ErrorCode.of(e);
        return c == ErrorCode.NOT_FOUND || c == ErrorCode.NOT_DIRECTORY;
    }

    private static long parseNumber(String name) {
        int end = 0;
        while (end < name.length() && Character.isDigit(name.charAt(end))) end++;
        if (end == 0 || end > 18) return -1;
        return Long.parseLong(name.substring(0, end));
    }

    private static String path(String sub) {
        return sub.isEmpty() ? "/" : sub;
    }

    private static String parent(String sub) {
        int i = sub.lastIndexOf('/');
        return i <= 0 ? "" : sub.substring(0, i);
    }

    private static String lastName(String sub) {
        return sub.substring(sub.lastIndexOf('/') + 1);
    }
}
