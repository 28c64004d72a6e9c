package dev.semfs.syscalls.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import dev.semfs.index.IndexDocument;
import dev.semfs.index.IndexOptions;
import dev.semfs.index.SearchHit;
import dev.semfs.index.SearchMode;
import dev.semfs.index.SearchRequest;
import dev.semfs.index.SearchResults;
import dev.semfs.index.SemanticIndex;
import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.ReindexResult;
import dev.semfs.syscalls.SearchResult;
import dev.semfs.versioning.ChangeRecord;
import dev.semfs.versioning.DirEntry;
import dev.semfs.versioning.FileType;
import dev.semfs.versioning.Inode;
import dev.semfs.versioning.PathVersion;
import dev.semfs.versioning.VersionRecord;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the semantic index in step with the store. The store's change log is the durable queue:
 * the index records the last change it applied in its own commit, and on open (or after a crash)
 * it resumes from there. Writes never wait for embeddings: with a background feeder they are
 * indexed within moments; without one, a search first catches the index up.
 *
 * <p>Thread-safe: feeding is serialised; searches run alongside it.
 */
final class IndexService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IndexService.class.getName());
    /** Larger files are indexed by name and metadata only. */
    static final int MAX_INDEXED_BYTES = 16 << 20;
    private static final int BATCH = 64;
    /** How long a search waits for the background indexer to apply changes made just before it. */
    static final long FRESHNESS_WAIT_MILLIS = 3000;

    private final WorkspaceStore store;
    private final Path dir;
    private final IndexSetup setup;
    private final Object feedLock = new Object();
    private volatile SemanticIndex index;
    private Thread feeder;
    private volatile boolean closed;
    private final Object wake = new Object();
    private final java.util.concurrent.atomic.AtomicLong rebuildDone = new java.util.concurrent.atomic.AtomicLong(-1);
    private volatile long rebuildTotal;

    IndexService(WorkspaceStore store, Path dir, IndexSetup setup) {
        this.store = store;
        this.dir = dir;
        this.setup = setup;
    }

    /** Opens the index (loading the model) and, for a background setup, starts the feeder. */
    SemanticIndex index() throws IOException {
        SemanticIndex i = index;
        if (i != null) return i;
        synchronized (this) {
            if (closed) throw new SemfsException(ErrorCode.IO, null, "workspace is closed");
            if (index == null) {
                index = SemanticIndex.open(dir, setup.embedder().create(),
                        IndexOptions.DEFAULT.withOnModelChange(IndexOptions.OnModelChange.RESET));
                if (setup.background()) {
                    feeder = Thread.ofPlatform().daemon().name("semfs-indexer").start(this::feedLoop);
                }
            }
            return index;
        }
    }

    boolean isOpen() {
        return index != null;
    }

    /** Tells the background feeder that the change log grew. */
    void poke() {
        if (feeder == null) return;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void feedLoop() {
        while (!closed) {
            try {
                catchUp();
                synchronized (wake) {
                    if (!closed && lag() == 0) wake.wait(500);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (closed) return;
                LOG.log(Level.WARNING, "indexing failed; retrying", e);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    long lag() {
        SemanticIndex i = index;
        return i == null ? -1 : Math.max(0, store.lastChangeSeq() - i.appliedSeq());
    }

    String model() {
        SemanticIndex i = index;
        return i == null ? "not loaded" : i.model().toString();
    }

    /** Applies every change logged after the index's applied sequence. */
    void catchUp() throws IOException {
        SemanticIndex idx = index();
        synchronized (feedLock) {
            if (idx.appliedSeq() == 0 && store.lastChangeSeq() > 0 && idx.stats().files() == 0) {
                rebuildLocked(idx); // a new (or reset) index: the live tree is quicker than all history
                return;
            }
            long seq = idx.appliedSeq();
            while (!closed) {
                List<ChangeRecord> batch = store.changes(seq, 512);
                if (batch.isEmpty()) break;
                apply(idx, batch);
                seq = batch.getLast().seq();
                idx.commit(seq);
            }
        }
    }

    private record Pending(String path, long version) {}

    private void apply(SemanticIndex idx, List<ChangeRecord> batch) throws IOException {
        Map<Long, Pending> pending = new LinkedHashMap<>();
        for (ChangeRecord c : batch) {
            if (c.path() == null || WorkspacePaths.isUnder(c.path(), "/" + WorkspacePaths.RESERVED)) continue;
            switch (c.op()) {
                case "write", "rollback", "restore" -> {
                    if (c.type() == FileType.FILE && c.version() > 0) pending.put(c.ino(), new Pending(c.path(), c.version()));
                }
                case "delete" -> {
                    if (c.type() == FileType.FILE && !isLinked(c.ino())) {
                        pending.remove(c.ino());
                        idx.delete(c.ino());
                    }
                }
                case "rename" -> {
                    if (c.type() == FileType.FILE) {
                        Pending p = pending.get(c.ino());
                        if (p != null) {
                            pending.put(c.ino(), new Pending(c.toPath(), p.version()));
                        } else if (!idx.move(c.ino(), c.toPath()) && c.version() > 0) {
                            pending.put(c.ino(), new Pending(c.toPath(), c.version()));
                        }
                    } else if (c.type() == FileType.DIRECTORY) {
                        flush(idx, pending);
                        idx.moveTree(c.path(), c.toPath());
                    }
                }
                default -> { } // namespace and metadata changes do not change what a file says
            }
            if (pending.size() >= BATCH) flush(idx, pending);
        }
        flush(idx, pending);
    }

    private boolean isLinked(long ino) {
        try {
            return store.stat(ino).nlink() > 0;
        } catch (IOException gone) {
            return false;
        }
    }

    private void flush(SemanticIndex idx, Map<Long, Pending> pending) throws IOException {
        if (pending.isEmpty()) return;
        List<IndexDocument> docs = new ArrayList<>();
        for (Map.Entry<Long, Pending> e : pending.entrySet()) {
            IndexDocument d = document(e.getKey(), e.getValue().path(), e.getValue().version());
            if (d != null) docs.add(d);
        }
        pending.clear();
        if (!docs.isEmpty()) idx.upsertAll(docs);
    }

    /** The document for one node version, or null if retention dropped it. */
    private IndexDocument document(long ino, String path, long version) throws IOException {
        VersionRecord v;
        try {
            v = store.version(ino, version);
        } catch (NoSuchFileException dropped) {
            return null;
        }
        if (v.isTombstone() || v.type() != FileType.FILE) return null;
        byte[] content = new byte[0];
        if (v.size() <= MAX_INDEXED_BYTES) {
            content = new byte[(int) v.size()];
            int pos = 0;
            while (pos < content.length) {
                int n = store.readVersion(ino, version, pos, content, pos, content.length - pos);
                if (n <= 0) break;
                pos += n;
            }
        }
        return new IndexDocument(ino, path, version, v.size(), v.time() / 1_000_000, v.agent(), content);
    }

    /** Rebuilds from the live tree: every file at its newest version. */
    ReindexResult rebuild() throws IOException {
        SemanticIndex idx = index();
        synchronized (feedLock) {
            long t0 = System.nanoTime();
            long files = rebuildLocked(idx);
            return new ReindexResult(files, (System.nanoTime() - t0) / 1_000_000, idx.model().toString());
        }
    }

    long rebuildDone() {
        return rebuildDone.get();
    }

    long rebuildTotal() {
        return rebuildTotal;
    }

    private long rebuildLocked(SemanticIndex idx) throws IOException {
        try {
            rebuildTotal = store.stats().files();
            rebuildDone.set(0);
            return rebuildTree(idx);
        } finally {
            rebuildDone.set(-1);
        }
    }

    private long rebuildTree(SemanticIndex idx) throws IOException {
        long upTo = store.lastChangeSeq();
        idx.clear();
        long files = 0;
        List<IndexDocument> docs = new ArrayList<>();
        ArrayDeque<Map.Entry<Long, String>> todo = new ArrayDeque<>();
        todo.add(Map.entry(WorkspaceStore.ROOT, ""));
        Set<Long> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            Map.Entry<Long, String> d = todo.poll();
            for (DirEntry e : store.list(d.getKey())) {
                String path = d.getValue() + "/" + e.name();
                if (e.type() == FileType.DIRECTORY) todo.add(Map.entry(e.ino(), path));
                if (e.type() != FileType.FILE || !seen.add(e.ino())) continue;
                Inode n = store.stat(e.ino());
                if (n.latestVersion() == 0) continue; // never closed yet: its first version will be fed
                IndexDocument doc = document(e.ino(), path, n.latestVersion());
                if (doc == null) continue;
                docs.add(doc);
                files++;
                if (docs.size() >= BATCH) {
                    idx.upsertAll(docs);
                    rebuildDone.addAndGet(docs.size());
                    docs.clear();
                }
            }
        }
        if (!docs.isEmpty()) idx.upsertAll(docs);
        idx.commit(upTo); // changes after upTo are fed next (replaying one already seen is harmless)
        return files;
    }

    SearchResult search(Op.Search o) throws IOException {
        if (o.query() == null) throw SemfsException.invalid(null, "a search needs a query");
        if (o.k() < 1 || o.k() > 1000) throw SemfsException.invalid(null, "k must be between 1 and 1000");
        SemanticIndex idx = index();
        if (!setup.background()) {
            catchUp();
        } else {
            awaitFresh(FRESHNESS_WAIT_MILLIS); // writes never wait for embeddings; a search waits a moment for them
        }
        SearchMode mode;
        try {
            mode = o.mode() == null ? SearchMode.HYBRID : SearchMode.valueOf(o.mode().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw SemfsException.invalid(null, "mode must be hybrid, semantic or keyword, not '" + o.mode() + "'");
        }
        String prefix = o.pathPrefix() == null ? null : WorkspacePaths.normalize(o.pathPrefix());
        Set<String> types = new HashSet<>();
        if (o.types() != null) for (String t : o.types()) types.add(t.toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""));
        SearchRequest.Filters filters = new SearchRequest.Filters(prefix, types, Set.of(), millis(o.since()), millis(o.until()),
                o.minSize(), o.maxSize(), o.author() == null ? Set.of() : Set.of(o.author()));
        // Ask for more than k: the agent layer drops hits the caller may not read.
        SearchResults r = idx.search(new SearchRequest(o.query(), Math.min(1000, o.k() * 3), mode, filters));
        long lag = lag();
        List<SearchResult.Hit> hits = new ArrayList<>();
        for (SearchHit h : r.hits()) {
            boolean stale = isStale(h);
            long number = pathVersionOf(h.path(), h.ino(), h.version());
            SearchHit.Snippet s = h.snippet();
            hits.add(new SearchResult.Hit(h.path(), h.score(), s == null ? "" : s.text(), number, stale,
                    s == null ? 0 : s.start(), s == null ? 0 : s.end()));
        }
        return new SearchResult(hits, lag, idx.model().toString());
    }

    private void awaitFresh(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        poke();
        try {
            while (lag() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean isStale(SearchHit h) {
        try {
            Inode n = store.stat(h.ino());
            return n.latestVersion() != h.version() || n.changedSinceVersion();
        } catch (IOException gone) {
            return true;
        }
    }

    /** The path-level number of a node version, as `semfs log` shows it. */
    private long pathVersionOf(String path, long ino, long version) {
        try {
            List<PathVersion> h = store.pathHistory(path);
            for (int i = h.size() - 1; i >= 0; i--) {
                if (h.get(i).ino() == ino && h.get(i).version() == version) return h.get(i).number();
            }
        } catch (IOException ignored) {
            // fall through: unknown
        }
        return 0;
    }

    private static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }

    Optional<SemanticIndex> ifOpen() {
        return Optional.ofNullable(index);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        Thread f = feeder;
        if (f != null) {
            synchronized (wake) {
                wake.notifyAll();
            }
            try {
                f.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (index != null) index.close();
            index = null;
        }
    }
}
