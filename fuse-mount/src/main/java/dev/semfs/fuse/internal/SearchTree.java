package dev.semfs.fuse.internal;

import dev.semfs.errors.SemfsException;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.SearchResult;
import dev.semfs.syscalls.Workspace;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /.semfs/search/<query>/}: any name under it is a query; the directory holds the best
 * matches as symlinks named by rank ({@code 01-notes.md}) pointing at the files, so
 * {@code cat ".semfs/search/tax deadlines/01-"*} reads the best one. Not listable at its root.
 *
 * <p>One search per query and agent is reused for a few seconds: a shell's {@code ls -l} stats
 * every entry, and each stat must not run the search again. Thread-safe.
 */
final class SearchTree implements VirtualTree {
    static final int RESULTS = 10;
    private static final long REUSE_NANOS = 5_000_000_000L;

    private record Cached(long at, List<Node> nodes) {}

    private final Workspace workspace;
    private final ConcurrentHashMap<String, Cached> recent = new ConcurrentHashMap<>();

    SearchTree(Workspace workspace) {
        this.workspace = workspace;
    }

    @Override
    public String name() {
        return "search";
    }

    @Override
    public Node stat(Caller caller, String sub) throws IOException {
        if (sub.isEmpty()) return Node.dir("search", 0);
        String[] parts = sub.substring(1).split("/", -1);
        if (parts.length == 1) return Node.dir(parts[0], 0);
        if (parts.length == 2) {
            for (Node n : results(caller, parts[0])) if (n.name().equals(parts[1])) return n;
        }
        throw new NoSuchFileException("/.semfs/search" + sub);
    }

    @Override
    public List<Node> list(Caller caller, String sub) throws IOException {
        if (sub.isEmpty()) return List.of(); // queries are reached by name, not listed
        String[] parts = sub.substring(1).split("/", -1);
        if (parts.length != 1) throw new NoSuchFileException("/.semfs/search" + sub);
        return results(caller, parts[0]);
    }

    @Override
    public VirtualFile open(Caller caller, String sub) throws IOException {
        throw SemfsException.isDirectory("/.semfs/search" + sub); // its entries are symlinks
    }

    private List<Node> results(Caller caller, String query) throws IOException {
        String key = caller.agent() + "\0" + query;
        Cached c = recent.get(key);
        long now = System.nanoTime();
        if (c != null && now - c.at() < REUSE_NANOS) return c.nodes();
        SearchResult r = workspace.call(caller, Op.Search.of(query, RESULTS));
        List<Node> nodes = new ArrayList<>();
        int rank = 1;
        for (SearchResult.Hit h : r.results()) {
            String base = h.path().substring(h.path().lastIndexOf('/') + 1);
            // From <mount>/.semfs/search/<query>/ three levels up is the mount's root.
            nodes.add(Node.symlink(String.format("%02d-%s", rank++, base), "../../.." + h.path(), 0));
        }
        if (recent.size() > 256) recent.clear();
        recent.put(key, new Cached(now, List.copyOf(nodes)));
        return nodes;
    }
}
