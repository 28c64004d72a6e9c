package dev.semfs.index.internal;

import static dev.semfs.index.internal.IndexLayout.*;

import dev.semfs.index.ContentType;
import dev.semfs.index.Embedder;
import dev.semfs.index.IndexDocument;
import dev.semfs.index.IndexOptions;
import dev.semfs.index.IndexStats;
import dev.semfs.index.ModelInfo;
import dev.semfs.index.ModelMismatchException;
import dev.semfs.index.SearchHit;
import dev.semfs.index.SearchMode;
import dev.semfs.index.SearchRequest;
import dev.semfs.index.SearchResults;
import dev.semfs.index.SemanticIndex;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.queryparser.classic.QueryParserBase;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollectorManager;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.search.join.DiversifyingChildrenFloatKnnVectorQuery;
import org.apache.lucene.search.join.QueryBitSetProducer;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BitSet;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * {@link SemanticIndex} on one Lucene index (layout in {@link IndexLayout}).
 *
 * <p>Writes: each upserted file is prepared (extracted, split, hashed) and embedded on a worker
 * pool, one task per file, and the task writes its block itself, so Lucene indexing (including
 * HNSW insertion) of one file overlaps the embedding of the next. A passage's vector is looked up
 * before it is embedded: in a bounded in-memory cache of recent vectors, among embeddings in
 * flight (so two files sharing text embed it once), and among the live passages of the index by
 * passage hash. Writes to one inode hold a striped lock, so a move (read, rewrite) cannot lose a
 * concurrent upsert.
 *
 * <p>Reads: a {@link SearcherManager} over the writer (near-real-time); a search refreshes it
 * first when anything was written since the last refresh, so searches see every mutation that
 * returned before them.
 */
public final class LuceneSemanticIndex implements SemanticIndex {
    private static final int LOCK_STRIPES = 256;
    /** Keyword matches are counted exactly up to this many files. */
    static final int KEYWORD_COUNT_LIMIT = 1_000;
    /** Stored fields a hit needs (never the stored body, which can be megabytes). */
    private static final java.util.Set<String> HIT_FIELDS = java.util.Set.of(INO, PATH, VERSION, TYPE, SIZE, MTIME, AUTHOR);
    private static final java.util.Set<String> SNIPPET_FIELDS = java.util.Set.of(TEXT, START, END);
    private static final HexFormat HEX = HexFormat.of();

    private final Path dir;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Embedder embedder;
    private final ModelInfo model;
    private final Analyzer analyzer = IndexLayout.textAnalyzer();
    private final ExecutorService workers;
    private final ExecutorService searchPool = Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "semfs-search");
                t.setDaemon(true);
                return t;
            });
    /** Runs a hybrid query's BM25 half beside its vector half; separate from the (possibly busy) indexing workers. */
    private final ExecutorService queryEmbedding = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "semfs-query-bm25");
        t.setDaemon(true);
        return t;
    });
    private final VectorCache cache;
    private final ConcurrentHashMap<String, java.util.concurrent.CompletableFuture<float[]>> inFlight =
            new ConcurrentHashMap<>();
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
    private final AtomicLong writeGen = new AtomicLong();
    private final Object refreshLock = new Object();
    private volatile long refreshedGen;
    private final AtomicLong embedded = new AtomicLong();
    private final AtomicLong reused = new AtomicLong();
    private final BitSetProducer parents = new QueryBitSetProducer(new TermQuery(new Term(KIND, KIND_FILE)));
    private final Object commitLock = new Object();
    private volatile long appliedSeq;
    private volatile Fusion fusion = Fusion.DEFAULT;

    /**
     * How hybrid search fuses its two ranked lists (chosen on SciFact's train queries; see
     * docs/benchmarks.md). Score = bm25Weight / (rrfK + bm25 rank) + vectorWeight / (rrfK + vector rank),
     * ranks from 1, over the top {@code depth} files of each list.
     */
    public record Fusion(double rrfK, double bm25Weight, double vectorWeight, int depth) {
        public static final Fusion DEFAULT = new Fusion(5, 1.5, 1.0, 50);
    }

    private LuceneSemanticIndex(Path dir, Directory directory, IndexWriter writer, Embedder embedder,
                                IndexOptions options, long appliedSeq) throws IOException {
        this.dir = dir;
        this.directory = directory;
        this.writer = writer;
        this.embedder = embedder;
        this.model = embedder.model();
        this.appliedSeq = appliedSeq;
        // Searches run their per-segment work (kNN graph searches, BM25 scoring) in parallel on a
        // pool of one thread per core; the calling thread takes part, so a busy pool only slows.
        this.searchers = new SearcherManager(writer, new org.apache.lucene.search.SearcherFactory() {
            @Override
            public IndexSearcher newSearcher(org.apache.lucene.index.IndexReader reader,
                                             org.apache.lucene.index.IndexReader previous) {
                return new IndexSearcher(reader, searchPool);
            }
        });
        this.cache = new VectorCache(options.vectorCacheSize());
        this.workers = Executors.newFixedThreadPool(options.effectiveWorkers(), r -> {
            Thread t = new Thread(r, "semfs-index-worker");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    public static Optional<ModelInfo> storedModel(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Directory d = FSDirectory.open(dir)) {
            if (!DirectoryReader.indexExists(d)) {
                return Optional.empty();
            }
            Map<String, String> ud = SegmentInfos.readLatestCommit(d).getUserData();
            String name = ud.get(UD_MODEL);
            String dim = ud.get(UD_DIM);
            if (name == null || dim == null) {
                return Optional.empty();
            }
            return Optional.of(new ModelInfo(name, Integer.parseInt(dim)));
        }
    }

    public static LuceneSemanticIndex open(Path dir, Embedder embedder, IndexOptions options) throws IOException {
        Files.createDirectories(dir);
        ModelInfo requested = embedder.model();
        Directory directory = FSDirectory.open(dir);
        try {
            boolean create = true;
            long seq = 0;
            if (DirectoryReader.indexExists(directory)) {
                Map<String, String> ud = SegmentInfos.readLatestCommit(directory).getUserData();
                String format = ud.get(UD_FORMAT);
                ModelInfo stored = ud.get(UD_MODEL) == null ? null
                        : new ModelInfo(ud.get(UD_MODEL), Integer.parseInt(ud.getOrDefault(UD_DIM, "0")));
                boolean sameFormat = String.valueOf(FORMAT_VERSION).equals(format);
                if (stored != null && stored.equals(requested) && sameFormat) {
                    create = false;
                    seq = Long.parseLong(ud.getOrDefault(UD_SEQ, "0"));
                } else if (options.onModelChange() == IndexOptions.OnModelChange.FAIL) {
                    throw new ModelMismatchException(stored == null || !sameFormat
                            ? new ModelInfo((stored == null ? "unknown" : stored.name()) + "@format" + format,
                                    stored == null ? 1 : stored.dimension())
                            : stored, requested);
                }
            }
            IndexWriterConfig cfg = new IndexWriterConfig(perField());
            cfg.setOpenMode(create ? IndexWriterConfig.OpenMode.CREATE : IndexWriterConfig.OpenMode.APPEND);
            cfg.setRAMBufferSizeMB(128);
            cfg.setCommitOnClose(false);
            IndexWriter w = new IndexWriter(directory, cfg);
            LuceneSemanticIndex index = new LuceneSemanticIndex(dir, directory, w, embedder, options, seq);
            if (create) {
                index.commit(0); // records the model, so a later open can detect a change
            }
            return index;
        } catch (IOException | RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    private static Analyzer perField() {
        // Every analysed field (body, name, text) shares one analyzer; string fields are not analysed.
        return IndexLayout.textAnalyzer();
    }

    /** For evaluation only: sets the hybrid fusion parameters. */
    public void setFusion(Fusion f) {
        this.fusion = f;
    }

    public Fusion fusion() {
        return fusion;
    }

    @Override
    public ModelInfo model() {
        return model;
    }

    // ---------------------------------------------------------------- writing

    /** A document after extraction, before embedding. */
    private record Prepared(IndexDocument doc, ContentType type, String ext, String body, String chash,
                            List<PassageSplitter.Passage> passages, List<String> hashes) {
    }

    @Override
    public void upsertAll(List<IndexDocument> docs) throws IOException {
        // Later documents for the same inode win; each inode is then one task.
        Map<Long, IndexDocument> latest = new LinkedHashMap<>();
        for (IndexDocument d : docs) {
            latest.remove(d.ino());
            latest.put(d.ino(), d);
        }
        if (latest.size() == 1) {
            upsertOne(latest.values().iterator().next());
            return;
        }
        List<Future<?>> tasks = new ArrayList<>(latest.size());
        for (IndexDocument d : latest.values()) {
            tasks.add(workers.submit(() -> {
                upsertOne(d);
                return null;
            }));
        }
        awaitAll(tasks);
    }

    private static void awaitAll(List<? extends Future<?>> tasks) throws IOException {
        IOException first = null;
        for (Future<?> f : tasks) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while indexing");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                IOException io = c instanceof IOException ioe ? ioe
                        : c instanceof UncheckedIOException u ? u.getCause() : new IOException(c);
                if (first == null) {
                    first = io;
                } else {
                    first.addSuppressed(io);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void upsertOne(IndexDocument doc) throws IOException {
        Prepared p = prepare(doc);
        // Seen through the last refreshed view: a replay of a change written since then is
        // rewritten, at no embedding cost (its vectors are in the cache).
        StoredFile existing = storedFile(doc.ino(), false);
        if (existing != null && existing.sameAs(p)) {
            return; // identical content and metadata: nothing to do (a replayed change)
        }
        float[][] vectors = vectorsFor(p.hashes(), p.passages());
        List<Document> block = block(p, vectors);
        ReentrantLock lock = lockFor(doc.ino());
        lock.lock();
        try {
            writer.updateDocuments(inoTerm(doc.ino()), block);
            wrote();
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < vectors.length; i++) {
            cache.put(p.hashes().get(i), vectors[i]);
        }
    }

    private Prepared prepare(IndexDocument doc) {
        TextExtractor.Extracted ex = TextExtractor.extract(doc.path(), doc.content());
        String body = ex.text();
        List<PassageSplitter.Passage> passages = PassageSplitter.split(body);
        if (passages.isEmpty()) {
            // Binaries, empty files and unreadable documents are found by name.
            String name = IndexLayout.nameWords(doc.path());
            passages = List.of(new PassageSplitter.Passage(0, name, 0, 0));
            if (body.isBlank()) {
                body = name;
            }
        }
        List<String> hashes = new ArrayList<>(passages.size());
        for (PassageSplitter.Passage ps : passages) {
            hashes.add(sha256Hex(ps.text().getBytes(StandardCharsets.UTF_8), 16));
        }
        return new Prepared(doc, ex.type(), TextExtractor.extension(doc.path()), body,
                sha256Hex(doc.content(), 32), passages, hashes);
    }

    /** Vectors for the passages: reused where the same text was embedded before, embedded otherwise. */
    private float[][] vectorsFor(List<String> hashes, List<PassageSplitter.Passage> passages) throws IOException {
        float[][] out = new float[hashes.size()][];
        Map<String, Integer> missing = new LinkedHashMap<>();
        for (int i = 0; i < hashes.size(); i++) {
            float[] v = cache.get(hashes.get(i));
            if (v != null) {
                out[i] = v;
                reused.incrementAndGet();
            } else {
                missing.putIfAbsent(hashes.get(i), i);
            }
        }
        if (!missing.isEmpty()) {
            Map<String, float[]> fromIndex = lookupVectors(missing.keySet());
            fromIndex.forEach((h, v) -> cache.put(h, v));
            missing.keySet().removeAll(fromIndex.keySet());
            reused.addAndGet(fromIndex.size());
            // Claim the rest; another thread may be embedding some of them right now.
            Map<String, java.util.concurrent.CompletableFuture<float[]>> mine = new LinkedHashMap<>();
            Map<String, java.util.concurrent.CompletableFuture<float[]>> theirs = new HashMap<>();
            for (String h : missing.keySet()) {
                var f = new java.util.concurrent.CompletableFuture<float[]>();
                var prev = inFlight.putIfAbsent(h, f);
                if (prev == null) {
                    mine.put(h, f);
                } else {
                    theirs.put(h, prev);
                }
            }
            if (!mine.isEmpty()) {
                List<String> texts = new ArrayList<>(mine.size());
                for (String h : mine.keySet()) {
                    texts.add(passages.get(missing.get(h)).text());
                }
                try {
                    List<float[]> vs = embedder.embedPassages(texts);
                    if (vs.size() != texts.size()) {
                        throw new IOException("embedder returned " + vs.size() + " vectors for " + texts.size());
                    }
                    embedded.addAndGet(texts.size());
                    int i = 0;
                    for (var e : mine.entrySet()) {
                        float[] v = vs.get(i++);
                        cache.put(e.getKey(), v);
                        fromIndex.put(e.getKey(), v);
                        e.getValue().complete(v);
                    }
                } catch (IOException | RuntimeException e) {
                    mine.values().forEach(f -> f.completeExceptionally(e));
                    throw e;
                } finally {
                    mine.keySet().forEach(inFlight::remove);
                }
            }
            for (var e : theirs.entrySet()) {
                try {
                    fromIndex.put(e.getKey(), e.getValue().get());
                    reused.incrementAndGet();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for an embedding");
                } catch (ExecutionException ee) {
                    throw new IOException("embedding failed", ee.getCause());
                }
            }
            for (int i = 0; i < out.length; i++) {
                if (out[i] == null) {
                    out[i] = fromIndex.get(hashes.get(i));
                }
            }
        }
        return out;
    }

    /** Live passages of the index with these hashes, and their vectors. */
    private Map<String, float[]> lookupVectors(Iterable<String> hashes) throws IOException {
        Map<String, float[]> found = new HashMap<>();
        // The current view, not a refreshed one: refreshing per write would flush a tiny segment
        // per file. Passages written since the last refresh are in the vector cache instead.
        IndexSearcher s = searchers.acquire();
        try {
            for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                LeafReader r = leaf.reader();
                Terms terms = r.terms(PHASH);
                FloatVectorValues values = r.getFloatVectorValues(VEC);
                if (terms == null || values == null) {
                    continue;
                }
                TermsEnum te = terms.iterator();
                Bits live = r.getLiveDocs();
                PostingsEnum pe = null;
                for (String h : hashes) {
                    if (found.containsKey(h) || !te.seekExact(new BytesRef(h))) {
                        continue;
                    }
                    pe = te.postings(pe, PostingsEnum.NONE);
                    for (int doc = pe.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = pe.nextDoc()) {
                        if (live == null || live.get(doc)) {
                            float[] v = vectorOf(values, doc);
                            if (v != null) {
                                found.put(h, v);
                                break;
                            }
                        }
                    }
                }
            }
        } finally {
            searchers.release(s);
        }
        return found;
    }

    private static float[] vectorOf(FloatVectorValues values, int doc) throws IOException {
        // A fresh iterator per lookup: iterators only move forward.
        KnnVectorValues.DocIndexIterator it = values.iterator();
        if (it.advance(doc) == doc) {
            return values.vectorValue(it.index()).clone();
        }
        return null;
    }

    private List<Document> block(Prepared p, float[][] vectors) {
        IndexDocument d = p.doc();
        List<Document> block = new ArrayList<>(p.passages().size() + 1);
        for (int i = 0; i < p.passages().size(); i++) {
            PassageSplitter.Passage ps = p.passages().get(i);
            block.add(passageDoc(d.ino(), d.path(), p.type(), p.ext(), d.author(), d.size(), d.mtimeMillis(),
                    ps.ordinal(), ps.text(), ps.start(), ps.end(), p.hashes().get(i), vectors[i]));
        }
        block.add(fileDoc(d.ino(), d.path(), d.version(), p.type(), p.ext(), d.author(), d.size(), d.mtimeMillis(),
                p.chash(), p.body(), p.passages().size()));
        return block;
    }

    private static void common(Document doc, String kind, long ino, String path, ContentType type, String ext,
                               String author, long size, long mtime) {
        doc.add(new StringField(KIND, kind, Field.Store.NO));
        doc.add(new StringField(INO, Long.toString(ino), Field.Store.YES));
        for (String a : IndexLayout.ancestors(path)) {
            doc.add(new StringField(DIR, a, Field.Store.NO));
        }
        doc.add(new StringField(EXT, ext, Field.Store.NO));
        doc.add(new StringField(TYPE, type.id(), Field.Store.NO));
        doc.add(new StringField(AUTHOR, author, Field.Store.NO));
        doc.add(new LongField(SIZE, size, Field.Store.NO));
        doc.add(new LongField(MTIME, mtime, Field.Store.NO));
    }

    private static Document passageDoc(long ino, String path, ContentType type, String ext, String author, long size,
                                       long mtime, int ord, String text, long start, long end, String phash,
                                       float[] vector) {
        Document doc = new Document();
        common(doc, KIND_PASSAGE, ino, path, type, ext, author, size, mtime);
        doc.add(new TextField(TEXT, text, Field.Store.YES));
        doc.add(new StoredField(ORD, ord));
        doc.add(new StoredField(START, start));
        doc.add(new StoredField(END, end));
        doc.add(new StringField(PHASH, phash, Field.Store.YES));
        doc.add(new KnnFloatVectorField(VEC, vector, VectorSimilarityFunction.DOT_PRODUCT));
        return doc;
    }

    private static Document fileDoc(long ino, String path, long version, ContentType type, String ext, String author,
                                    long size, long mtime, String chash, String body, int npass) {
        Document doc = new Document();
        common(doc, KIND_FILE, ino, path, type, ext, author, size, mtime);
        doc.add(new StoredField(PATH, path));
        doc.add(new StoredField(VERSION, version));
        doc.add(new StoredField(SIZE, size));
        doc.add(new StoredField(MTIME, mtime));
        doc.add(new StoredField(AUTHOR, author));
        doc.add(new StoredField(TYPE, type.id()));
        doc.add(new StringField(CHASH, chash, Field.Store.YES));
        doc.add(new TextField(BODY, body, Field.Store.YES));
        doc.add(new TextField(NAME, IndexLayout.nameWords(path), Field.Store.NO));
        doc.add(new StoredField(NPASS, npass));
        return doc;
    }

    /** The stored form of an indexed file. */
    private record StoredFile(long ino, String path, long version, ContentType type, long size, long mtime,
                              String author, String chash, String body, List<StoredPassage> passages) {
        boolean sameAs(Prepared p) {
            IndexDocument d = p.doc();
            return chash.equals(p.chash()) && path.equals(d.path()) && version == d.version() && size == d.size()
                    && mtime == d.mtimeMillis() && author.equals(d.author()) && type == p.type();
        }
    }

    private record StoredPassage(int ord, String text, long start, long end, String phash, float[] vector) {
    }

    /** The file document of an inode, without its passages; null if not indexed. */
    private StoredFile storedFile(long ino, boolean fresh) throws IOException {
        IndexSearcher s = fresh ? acquire() : searchers.acquire();
        try {
            BooleanQuery q = new BooleanQuery.Builder()
                    .add(new TermQuery(inoTerm(ino)), Occur.FILTER)
                    .add(new TermQuery(new Term(KIND, KIND_FILE)), Occur.FILTER)
                    .build();
            TopDocs td = s.search(q, 1);
            if (td.scoreDocs.length == 0) {
                return null;
            }
            return fileFrom(s.storedFields().document(td.scoreDocs[0].doc), List.of());
        } finally {
            searchers.release(s);
        }
    }

    private static StoredFile fileFrom(Document d, List<StoredPassage> passages) {
        return new StoredFile(Long.parseLong(d.get(INO)), d.get(PATH), d.getField(VERSION).numericValue().longValue(),
                ContentType.valueOf(d.get(TYPE).toUpperCase(java.util.Locale.ROOT)),
                d.getField(SIZE).numericValue().longValue(), d.getField(MTIME).numericValue().longValue(),
                d.get(AUTHOR), d.get(CHASH), d.get(BODY), passages);
    }

    /** The whole stored block of an inode, vectors included; null if not indexed. */
    private StoredFile storedBlock(IndexSearcher s, long ino) throws IOException {
        TopDocs td = s.search(new TermQuery(inoTerm(ino)), Integer.MAX_VALUE);
        if (td.scoreDocs.length == 0) {
            return null;
        }
        Document file = null;
        List<StoredPassage> passages = new ArrayList<>();
        List<LeafReaderContext> leaves = s.getIndexReader().leaves();
        StoredFields sf = s.storedFields();
        for (ScoreDoc sd : td.scoreDocs) {
            Document d = sf.document(sd.doc);
            if (d.get(PATH) != null) {
                file = d;
                continue;
            }
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
            FloatVectorValues values = leaf.reader().getFloatVectorValues(VEC);
            float[] v = values == null ? null : vectorOf(values, sd.doc - leaf.docBase);
            if (v == null) {
                throw new IOException("passage of inode " + ino + " has no vector");
            }
            passages.add(new StoredPassage(d.getField(ORD).numericValue().intValue(), d.get(TEXT),
                    d.getField(START).numericValue().longValue(), d.getField(END).numericValue().longValue(),
                    d.get(PHASH), v));
        }
        if (file == null) {
            throw new IOException("inode " + ino + " has passages but no file document");
        }
        passages.sort(java.util.Comparator.comparingInt(StoredPassage::ord));
        return fileFrom(file, passages);
    }

    @Override
    public boolean delete(long ino) throws IOException {
        ReentrantLock lock = lockFor(ino);
        lock.lock();
        try {
            boolean held = storedFile(ino, true) != null;
            writer.deleteDocuments(inoTerm(ino)); // unconditionally: deleting nothing is harmless
            wrote();
            return held;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean move(long ino, String newPath) throws IOException {
        if (!newPath.startsWith("/")) {
            throw new IllegalArgumentException("path must be absolute: " + newPath);
        }
        ReentrantLock lock = lockFor(ino);
        lock.lock();
        try {
            IndexSearcher s = acquire();
            StoredFile f;
            try {
                f = storedBlock(s, ino);
            } finally {
                searchers.release(s);
            }
            if (f == null) {
                return false;
            }
            if (f.path().equals(newPath)) {
                return true;
            }
            String ext = TextExtractor.extension(newPath);
            List<Document> block = new ArrayList<>(f.passages().size() + 1);
            for (StoredPassage p : f.passages()) {
                block.add(passageDoc(ino, newPath, f.type(), ext, f.author(), f.size(), f.mtime(), p.ord(), p.text(),
                        p.start(), p.end(), p.phash(), p.vector()));
            }
            block.add(fileDoc(ino, newPath, f.version(), f.type(), ext, f.author(), f.size(), f.mtime(), f.chash(),
                    f.body(), f.passages().size()));
            writer.updateDocuments(inoTerm(ino), block);
            wrote();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int moveTree(String fromDir, String toDir) throws IOException {
        String from = IndexLayout.normalizeDir(fromDir);
        String to = IndexLayout.normalizeDir(toDir);
        if (from.equals("/")) {
            throw new IllegalArgumentException("cannot move the root");
        }
        Map<Long, String> targets = new LinkedHashMap<>();
        IndexSearcher s = acquire();
        try {
            BooleanQuery q = new BooleanQuery.Builder()
                    .add(new TermQuery(new Term(DIR, from)), Occur.FILTER)
                    .add(new TermQuery(new Term(KIND, KIND_FILE)), Occur.FILTER)
                    .build();
            TopDocs td = s.search(q, Integer.MAX_VALUE);
            StoredFields sf = s.storedFields();
            for (ScoreDoc sd : td.scoreDocs) {
                Document d = sf.document(sd.doc);
                String path = d.get(PATH);
                targets.put(Long.parseLong(d.get(INO)), (to.equals("/") ? "" : to) + path.substring(from.length()));
            }
        } finally {
            searchers.release(s);
        }
        int moved = 0;
        for (var e : targets.entrySet()) {
            if (move(e.getKey(), e.getValue())) {
                moved++;
            }
        }
        return moved;
    }

    @Override
    public void commit(long seq) throws IOException {
        synchronized (commitLock) {
            writer.setLiveCommitData(Map.of(
                    UD_FORMAT, String.valueOf(FORMAT_VERSION),
                    UD_MODEL, model.name(),
                    UD_DIM, String.valueOf(model.dimension()),
                    UD_SEQ, String.valueOf(seq)).entrySet());
            writer.commit();
            appliedSeq = seq;
        }
    }

    @Override
    public long appliedSeq() {
        return appliedSeq;
    }

    @Override
    public void clear() throws IOException {
        synchronized (commitLock) {
            writer.deleteAll();
            wrote();
            commit(0);
            // Upserts compare against the last refreshed view: it must not show what was cleared.
            searchers.maybeRefreshBlocking();
        }
    }

    @Override
    public Optional<Long> indexedVersion(long ino) throws IOException {
        StoredFile f = storedFile(ino, true);
        return f == null ? Optional.empty() : Optional.of(f.version());
    }

    @Override
    public IndexStats stats() throws IOException {
        IndexSearcher s = acquire();
        long files;
        long passages;
        try {
            files = s.count(new TermQuery(new Term(KIND, KIND_FILE)));
            passages = s.count(new TermQuery(new Term(KIND, KIND_PASSAGE)));
        } finally {
            searchers.release(s);
        }
        long size = 0;
        try (Stream<Path> files2 = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files2::iterator) {
                try {
                    size += Files.size(p);
                } catch (IOException ignored) {
                    // a segment file merged away while we listed
                }
            }
        }
        return new IndexStats(files, passages, model, appliedSeq, embedded.get(), reused.get(), size);
    }

    // ---------------------------------------------------------------- searching

    @Override
    public SearchResults search(SearchRequest req) throws IOException {
        Query filter = filterQuery(req.filters());
        IndexSearcher s = acquire();
        try {
            return switch (req.mode()) {
                case KEYWORD -> keyword(s, req, filter);
                case SEMANTIC -> semantic(s, req, filter);
                case HYBRID -> hybrid(s, req, filter);
            };
        } finally {
            searchers.release(s);
        }
    }

    private SearchResults keyword(IndexSearcher s, SearchRequest req, Query filter) throws IOException {
        // A blank keyword query lists the files that pass the filters.
        Query parsed = req.query().isBlank() ? new org.apache.lucene.search.MatchAllDocsQuery()
                : parseKeyword(req.query(), QueryParser.Operator.AND, BODY, NAME);
        Query q = fileQuery(parsed, filter);
        // Counting every match of a broad OR query costs as much as the search; count exactly
        // up to a threshold and report a lower bound beyond it.
        TopDocs td = s.search(q, new TopScoreDocCollectorManager(req.k(), null, KEYWORD_COUNT_LIMIT));
        boolean exact = td.totalHits.relation() == org.apache.lucene.search.TotalHits.Relation.EQUAL_TO;
        List<SearchHit> hits = new ArrayList<>();
        for (ScoreDoc sd : td.scoreDocs) {
            hits.add(hit(s, sd.doc, sd.score, -1, parsed));
        }
        return new SearchResults(hits, td.totalHits.value(), exact);
    }

    private SearchResults semantic(IndexSearcher s, SearchRequest req, Query filter) throws IOException {
        float[] qv = embedder.embedQuery(req.query());
        List<Ranked> ranked = vectorRanking(s, qv, req.k(), filter);
        List<SearchHit> hits = new ArrayList<>();
        for (Ranked r : ranked) {
            // Lucene scores DOT_PRODUCT as (1 + cos) / 2; report the cosine itself.
            hits.add(hit(s, r.fileDoc(), 2.0 * r.score() - 1.0, r.passageDoc(), null));
        }
        return new SearchResults(hits, -1, true);
    }

    private SearchResults hybrid(IndexSearcher s, SearchRequest req, Query filter) throws IOException {
        Fusion f = fusion;
        int depth = Math.max(req.k(), f.depth());
        // BM25 runs on another thread while this one embeds the query and searches the vectors:
        // the two lists cost about the same, and the critical path is the longer one, not the sum.
        Query text = parseKeyword(req.query(), QueryParser.Operator.OR, BODY);
        Query bm25Query = fileQuery(text, filter);
        java.util.concurrent.CompletableFuture<TopDocs> bm25Future = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                // totalHitsThreshold = depth: no count is needed, so BM25 may skip non-competitive
                // documents (block-max WAND) as soon as it has its top files.
                return s.search(bm25Query, new TopScoreDocCollectorManager(depth, null, depth));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, queryEmbedding);
        List<Ranked> vec;
        try {
            vec = vectorRanking(s, embedder.embedQuery(req.query()), depth, filter);
        } catch (IOException | RuntimeException e) {
            bm25Future.exceptionally(x -> null).join(); // never leave it running on a released searcher
            throw e;
        }
        TopDocs bm25;
        try {
            bm25 = bm25Future.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof UncheckedIOException u ? u.getCause() : new IOException(e.getCause());
        }
        Map<Integer, double[]> fused = new LinkedHashMap<>(); // file doc -> {score, passage doc}
        for (int i = 0; i < bm25.scoreDocs.length; i++) {
            fused.computeIfAbsent(bm25.scoreDocs[i].doc, k -> new double[] {0, -1})[0] +=
                    f.bm25Weight() / (f.rrfK() + i + 1);
        }
        for (int i = 0; i < vec.size(); i++) {
            double[] e = fused.computeIfAbsent(vec.get(i).fileDoc(), k -> new double[] {0, -1});
            e[0] += f.vectorWeight() / (f.rrfK() + i + 1);
            e[1] = vec.get(i).passageDoc();
        }
        List<Map.Entry<Integer, double[]>> entries = new ArrayList<>(fused.entrySet());
        entries.sort((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]));
        List<SearchHit> hits = new ArrayList<>();
        for (int i = 0; i < Math.min(req.k(), entries.size()); i++) {
            var e = entries.get(i);
            hits.add(hit(s, e.getKey(), e.getValue()[0], (int) e.getValue()[1], text));
        }
        return new SearchResults(hits, -1, true);
    }

    /** A file in a ranking, with its best passage's doc id. */
    private record Ranked(int fileDoc, int passageDoc, float score) {
    }

    /** The best files by vector similarity of their best passage; the filter applies inside the kNN search. */
    private List<Ranked> vectorRanking(IndexSearcher s, float[] qv, int k, Query filter) throws IOException {
        Query childFilter = filter == null ? null : new BooleanQuery.Builder()
                .add(filter, Occur.FILTER)
                .add(new TermQuery(new Term(KIND, KIND_PASSAGE)), Occur.FILTER)
                .build();
        Query knn = new DiversifyingChildrenFloatKnnVectorQuery(VEC, qv, childFilter, k, parents);
        TopDocs td = s.search(knn, k);
        List<LeafReaderContext> leaves = s.getIndexReader().leaves();
        List<Ranked> out = new ArrayList<>(td.scoreDocs.length);
        for (ScoreDoc sd : td.scoreDocs) {
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
            BitSet bits = parents.getBitSet(leaf);
            int parent = bits.nextSetBit(sd.doc - leaf.docBase) + leaf.docBase;
            out.add(new Ranked(parent, sd.doc, sd.score));
        }
        return out;
    }

    private static Query fileQuery(Query text, Query filter) {
        BooleanQuery.Builder b = new BooleanQuery.Builder()
                .add(text, Occur.MUST)
                .add(new TermQuery(new Term(KIND, KIND_FILE)), Occur.FILTER);
        if (filter != null) {
            b.add(filter, Occur.FILTER);
        }
        return b.build();
    }

    private Query parseKeyword(String query, QueryParser.Operator op, String... fields) {
        MultiFieldQueryParser p = new MultiFieldQueryParser(fields, analyzer);
        p.setDefaultOperator(op);
        p.setAllowLeadingWildcard(false);
        try {
            String q = op == QueryParser.Operator.OR ? QueryParserBase.escape(query) : keywordSyntax(query);
            return p.parse(q);
        } catch (ParseException | RuntimeException e) {
            try {
                return p.parse(QueryParserBase.escape(query));
            } catch (ParseException | RuntimeException e2) {
                return new MatchNoDocsQuery("unparsable query");
            }
        }
    }

    /**
     * Keeps the documented keyword syntax (terms, "phrases", AND/OR/NOT, parentheses) and escapes
     * every other character the classic parser would read as syntax: "HTTP/2" is a term, not the
     * start of a regular expression, and "c++" or "a:b" are words.
     */
    static String keywordSyntax(String query) {
        StringBuilder sb = new StringBuilder(query.length() + 8);
        for (char c : query.toCharArray()) {
            if ("\\+-!{}[]^~*?:/&|".indexOf(c) >= 0) sb.append('\\');
            sb.append(c);
        }
        return sb.toString();
    }

    /** Conjunction of the request's filters, or null when there are none. */
    static Query filterQuery(SearchRequest.Filters f) {
        if (f.isEmpty()) {
            return null;
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        if (f.pathPrefix() != null && !IndexLayout.normalizeDir(f.pathPrefix()).equals("/")) {
            b.add(new TermQuery(new Term(DIR, IndexLayout.normalizeDir(f.pathPrefix()))), Occur.FILTER);
        }
        if (!f.extensions().isEmpty()) {
            b.add(new TermInSetQuery(EXT, f.extensions().stream()
                    .map(e -> new BytesRef(e.toLowerCase(java.util.Locale.ROOT).replaceFirst("^\\.", ""))).toList()),
                    Occur.FILTER);
        }
        if (!f.types().isEmpty()) {
            b.add(new TermInSetQuery(TYPE, f.types().stream().map(t -> new BytesRef(t.id())).toList()), Occur.FILTER);
        }
        if (f.mtimeFrom() != null || f.mtimeTo() != null) {
            b.add(LongField.newRangeQuery(MTIME, f.mtimeFrom() == null ? Long.MIN_VALUE : f.mtimeFrom(),
                    f.mtimeTo() == null ? Long.MAX_VALUE : f.mtimeTo()), Occur.FILTER);
        }
        if (f.sizeMin() != null || f.sizeMax() != null) {
            b.add(LongField.newRangeQuery(SIZE, f.sizeMin() == null ? Long.MIN_VALUE : f.sizeMin(),
                    f.sizeMax() == null ? Long.MAX_VALUE : f.sizeMax()), Occur.FILTER);
        }
        if (!f.authors().isEmpty()) {
            b.add(new TermInSetQuery(AUTHOR, f.authors().stream().map(BytesRef::new).toList()), Occur.FILTER);
        }
        return b.build();
    }

    /** Builds a hit from a file doc; the snippet is {@code passageDoc} if known, else the best passage for {@code text}. */
    private SearchHit hit(IndexSearcher s, int fileDoc, double score, int passageDoc, Query text) throws IOException {
        StoredFields sf = s.storedFields();
        Document d = sf.document(fileDoc, HIT_FIELDS);
        long ino = Long.parseLong(d.get(INO));
        int pdoc = passageDoc;
        if (pdoc < 0) {
            pdoc = bestPassage(s, fileDoc, ino, text);
        }
        ContentType type = ContentType.valueOf(d.get(TYPE).toUpperCase(java.util.Locale.ROOT));
        SearchHit.Snippet snippet = null;
        if (pdoc >= 0) {
            Document p = sf.document(pdoc, SNIPPET_FIELDS);
            snippet = new SearchHit.Snippet(p.get(TEXT), p.getField(START).numericValue().longValue(),
                    p.getField(END).numericValue().longValue(), type.rangesInSource());
        }
        return new SearchHit(ino, d.get(PATH), d.getField(VERSION).numericValue().longValue(), type,
                d.getField(SIZE).numericValue().longValue(), d.getField(MTIME).numericValue().longValue(),
                d.get(AUTHOR), score, snippet);
    }

    /** The passage of a file that matches {@code text} best, or its first passage. */
    private int bestPassage(IndexSearcher s, int fileDoc, long ino, Query text) throws IOException {
        BooleanQuery.Builder b = new BooleanQuery.Builder()
                .add(new TermQuery(inoTerm(ino)), Occur.FILTER)
                .add(new TermQuery(new Term(KIND, KIND_PASSAGE)), Occur.FILTER);
        if (text != null) {
            Query onPassages = retarget(text);
            if (onPassages != null) {
                b.add(onPassages, Occur.SHOULD);
            }
        }
        TopDocs td = s.search(b.build(), 1);
        if (td.scoreDocs.length > 0 && td.scoreDocs[0].score > 0) {
            return td.scoreDocs[0].doc;
        }
        // Passages precede their file doc in the block; the first one is right before the others.
        TopDocs any = s.search(new BooleanQuery.Builder()
                .add(new TermQuery(inoTerm(ino)), Occur.FILTER)
                .add(new TermQuery(new Term(KIND, KIND_PASSAGE)), Occur.FILTER).build(), 1);
        return any.scoreDocs.length == 0 ? -1 : any.scoreDocs[0].doc;
    }

    /** The same words as an OR query on passage text (snippet choice only needs a ranking). */
    private Query retarget(Query q) {
        List<Term> terms = new ArrayList<>();
        q.visit(new org.apache.lucene.search.QueryVisitor() {
            @Override
            public void consumeTerms(Query query, Term... ts) {
                for (Term t : ts) {
                    if (t.field().equals(BODY)) {
                        terms.add(new Term(TEXT, t.bytes()));
                    }
                }
            }

            @Override
            public org.apache.lucene.search.QueryVisitor getSubVisitor(Occur occur, Query parent) {
                return occur == Occur.MUST_NOT ? org.apache.lucene.search.QueryVisitor.EMPTY_VISITOR : this;
            }
        });
        if (terms.isEmpty()) {
            return null;
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Term t : terms.subList(0, Math.min(terms.size(), IndexSearcher.getMaxClauseCount() - 4))) {
            b.add(new TermQuery(t), Occur.SHOULD);
        }
        return b.build();
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * A searcher that sees every write that completed before this call. Writes bump
     * {@code writeGen}; a refresh records the generation it is sure to include (read before it
     * starts). A boolean "dirty" flag is not enough: another thread could clear it and still be
     * refreshing when this one acquires, handing out a view without this thread's own write.
     */
    private IndexSearcher acquire() throws IOException {
        long wanted = writeGen.get();
        if (refreshedGen < wanted) {
            synchronized (refreshLock) {
                if (refreshedGen < wanted) {
                    long covered = writeGen.get();
                    searchers.maybeRefreshBlocking();
                    refreshedGen = covered;
                }
            }
        }
        return searchers.acquire();
    }

    private void wrote() {
        writeGen.incrementAndGet();
    }

    private ReentrantLock lockFor(long ino) {
        return locks[(int) Math.floorMod(ino * 0x9E3779B97F4A7C15L >>> 40, (long) LOCK_STRIPES)];
    }

    private static Term inoTerm(long ino) {
        return new Term(INO, Long.toString(ino));
    }

    static String sha256Hex(byte[] bytes, int outBytes) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HEX.formatHex(h, 0, outBytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        workers.shutdownNow();
        queryEmbedding.shutdownNow();
        try {
            searchers.close();
        } finally {
            try {
                // Keep the work done since the last commit (replaying it costs no embedding), but
                // not a newer sequence number: the feeder resumes after the last one it committed.
                commit(appliedSeq);
                writer.close();
            } finally {
                searchPool.shutdownNow();
                directory.close();
            }
        }
    }
}
