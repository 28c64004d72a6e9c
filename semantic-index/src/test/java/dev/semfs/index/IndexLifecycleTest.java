package dev.semfs.index;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Index behaviour that does not depend on embedding quality, on a real Lucene index with the
 * deterministic {@link HashingEmbedder} (so hundreds of files index in milliseconds).
 */
class IndexLifecycleTest {
    @TempDir
    Path dir;

    static IndexDocument doc(long ino, String path, String text) {
        return IndexDocument.of(ino, path, 1, 1_000L * ino, "agent" + (ino % 3), text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void appliedSeqSurvivesCloseAndReopen() throws IOException {
        Embedder e = new HashingEmbedder("hash-a", 32);
        try (SemanticIndex index = SemanticIndex.open(dir, e, IndexOptions.DEFAULT)) {
            assertEquals(0, index.appliedSeq());
            index.upsert(doc(1, "/a.txt", "alpha beta"));
            index.commit(41);
            index.upsert(doc(2, "/b.txt", "gamma delta"));
            index.commit(42);
            assertEquals(42, index.appliedSeq());
        }
        try (SemanticIndex index = SemanticIndex.open(dir, e, IndexOptions.DEFAULT)) {
            assertEquals(42, index.appliedSeq());
            assertEquals(2, index.stats().files());
            assertEquals(42, index.stats().appliedSeq());
        }
    }

    @Test
    void uncommittedWorkIsKeptOnCloseButNotItsSequence() throws IOException {
        Embedder e = new HashingEmbedder("hash-a", 32);
        try (SemanticIndex index = SemanticIndex.open(dir, e, IndexOptions.DEFAULT)) {
            index.upsert(doc(1, "/a.txt", "alpha beta"));
            index.commit(7);
            index.upsert(doc(2, "/b.txt", "gamma delta"));
        }
        try (SemanticIndex index = SemanticIndex.open(dir, e, IndexOptions.DEFAULT)) {
            assertEquals(7, index.appliedSeq(), "the feeder must replay from its last commit");
            assertEquals(2, index.stats().files());
            long before = e.embeddedCount();
            index.upsert(doc(2, "/b.txt", "gamma delta")); // the replay is free
            assertEquals(before, e.embeddedCount());
        }
    }

    @Test
    void modelChangeIsDetectedAndResetStartsOver() throws IOException {
        try (SemanticIndex index = SemanticIndex.open(dir, new HashingEmbedder("hash-a", 32), IndexOptions.DEFAULT)) {
            index.upsert(doc(1, "/a.txt", "alpha"));
            index.commit(5);
        }
        assertEquals(new ModelInfo("hash-a", 32), SemanticIndex.storedModel(dir).orElseThrow());
        ModelMismatchException ex = assertThrows(ModelMismatchException.class,
                () -> SemanticIndex.open(dir, new HashingEmbedder("hash-b", 32), IndexOptions.DEFAULT));
        assertEquals(new ModelInfo("hash-a", 32), ex.stored());
        assertEquals(new ModelInfo("hash-b", 32), ex.requested());
        assertThrows(ModelMismatchException.class,
                () -> SemanticIndex.open(dir, new HashingEmbedder("hash-a", 64), IndexOptions.DEFAULT));
        // the failed opens left the index untouched
        assertEquals(new ModelInfo("hash-a", 32), SemanticIndex.storedModel(dir).orElseThrow());
        var reset = IndexOptions.DEFAULT.withOnModelChange(IndexOptions.OnModelChange.RESET);
        try (SemanticIndex index = SemanticIndex.open(dir, new HashingEmbedder("hash-b", 32), reset)) {
            assertEquals(0, index.stats().files());
            assertEquals(0, index.appliedSeq());
            assertEquals(new ModelInfo("hash-b", 32), index.model());
        }
        assertEquals(new ModelInfo("hash-b", 32), SemanticIndex.storedModel(dir).orElseThrow());
        assertTrue(SemanticIndex.storedModel(dir.resolve("none")).isEmpty());
    }

    @Test
    void selectiveFilterStillReturnsKResults() throws IOException {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        try (SemanticIndex index = SemanticIndex.open(dir, new HashingEmbedder("hash", 64), IndexOptions.DEFAULT)) {
            List<IndexDocument> docs = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                // 1% of files under /rare; all about the same words, so the unfiltered top is elsewhere
                String path = (i % 100 == 7 ? "/rare/" : "/common/d" + (i % 10) + "/") + i + ".txt";
                docs.add(doc(i + 1, path, "report " + words(rnd, 30)));
            }
            index.upsertAll(docs);
            for (SearchMode m : new SearchMode[] {SearchMode.SEMANTIC, SearchMode.HYBRID}) {
                var r = index.search(new SearchRequest("report " + words(rnd, 5), 10, m,
                        SearchRequest.Filters.NONE.withPathPrefix("/rare")));
                assertEquals(10, r.hits().size(), m + " seed=" + seed);
                r.hits().forEach(h -> assertTrue(h.path().startsWith("/rare/"), h.path() + " seed=" + seed));
                var r2 = index.search(new SearchRequest("report", 25, m,
                        SearchRequest.Filters.NONE.withPathPrefix("/rare")));
                assertEquals(20, r2.hits().size(), "all 20 rare files, seed=" + seed);
            }
        }
    }

    static final String[] VOCAB = {"alpha", "beta", "gamma", "delta", "kappa", "omega", "sigma", "zeta", "theta",
        "lambda", "parseHttpRequest", "foo_bar", "v2.3", "C++", "naïve", "café", "x86_64", "user@example.com",
        "self-driving", "O'Reilly", "HTTP/2", "3.14159", "snake_case_name", "CamelCaseName", "UTF-8", "a.b.c"};

    static String words(Random rnd, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(VOCAB[rnd.nextInt(VOCAB.length)]).append(rnd.nextInt(8) == 0 ? ".\n" : " ");
        }
        return b.toString();
    }

    @Test
    void keywordModeNeverMissesAFileContainingTheTerms() throws IOException {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        try (SemanticIndex index = SemanticIndex.open(dir, new HashingEmbedder("hash", 16), IndexOptions.DEFAULT)) {
            List<String> texts = new ArrayList<>();
            List<IndexDocument> docs = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String t = words(rnd, 3 + rnd.nextInt(400)); // some files span several passages
                texts.add(t);
                docs.add(doc(i + 1, "/k/" + i + ".txt", t));
            }
            index.upsertAll(docs);
            for (int q = 0; q < 60; q++) {
                String a = VOCAB[rnd.nextInt(VOCAB.length)];
                String b = VOCAB[rnd.nextInt(VOCAB.length)];
                String query;
                Set<Long> expected = new HashSet<>();
                switch (q % 3) {
                    case 0 -> query = a;
                    case 1 -> query = a + " " + b;
                    default -> query = "\"" + a + " " + b + "\"";
                }
                for (int i = 0; i < texts.size(); i++) {
                    String t = " " + texts.get(i).replace('\n', ' ').replace(". ", " ") + " ";
                    boolean match = switch (q % 3) {
                        case 0 -> t.contains(" " + a + " ") || t.contains(" " + a + ".");
                        case 1 -> (t.contains(" " + a + " ") || t.contains(" " + a + "."))
                                && (t.contains(" " + b + " ") || t.contains(" " + b + "."));
                        default -> t.contains(" " + a + " " + b + " ") || t.contains(" " + a + " " + b + ".");
                    };
                    if (match) expected.add(i + 1L);
                }
                SearchResults r = index.search(new SearchRequest(query, 1000, SearchMode.KEYWORD,
                        SearchRequest.Filters.NONE));
                Set<Long> got = new HashSet<>();
                r.hits().forEach(h -> got.add(h.ino()));
                Set<Long> missed = new HashSet<>(expected);
                missed.removeAll(got);
                assertTrue(missed.isEmpty(), "query " + query + " missed " + missed + " seed=" + seed);
                assertTrue(r.keywordMatches() >= expected.size(), "seed=" + seed);
            }
        }
    }

    @Test
    void keywordSyntaxCharactersInTermsAreTerms() throws IOException {
        try (SemanticIndex index = SemanticIndex.open(dir, new HashingEmbedder("hash", 32), IndexOptions.DEFAULT)) {
            index.upsertAll(List.of(doc(1, "/a.md", "we moved the API to HTTP/2 last week"),
                    doc(2, "/b.md", "c++ templates and a:b labels"), doc(3, "/other.md", "nothing here")));
            for (String q : List.of("HTTP/2", "HTTP/2 HTTP/2", "c++", "a:b", "HTTP/2 OR c++")) {
                var hits = index.search(new SearchRequest(q, 10, SearchMode.KEYWORD, SearchRequest.Filters.NONE)).hits();
                assertTrue(!hits.isEmpty(), "keyword query " + q + " found nothing");
                assertTrue(hits.stream().noneMatch(h -> h.path().equals("/other.md")), q);
            }
        }
    }

    @Test
    void moveTreeRerootsADirectoryWithoutEmbedding() throws IOException {
        HashingEmbedder e = new HashingEmbedder("hash", 32);
        try (SemanticIndex index = SemanticIndex.open(dir, e, IndexOptions.DEFAULT)) {
            index.upsertAll(List.of(doc(1, "/src/a/x.md", "one"), doc(2, "/src/a/b/y.md", "two"),
                    doc(3, "/src/ab/z.md", "three"), doc(4, "/other.md", "four")));
            long before = e.embeddedCount();
            assertEquals(2, index.moveTree("/src/a", "/dst/new"));
            assertEquals(before, e.embeddedCount());
            var all = index.search(new SearchRequest("", 10, SearchMode.KEYWORD, SearchRequest.Filters.NONE)).hits();
            assertEquals(Set.of("/dst/new/x.md", "/dst/new/b/y.md", "/src/ab/z.md", "/other.md"),
                    new HashSet<>(all.stream().map(SearchHit::path).toList()));
            assertEquals(1, index.search(new SearchRequest("", 10, SearchMode.KEYWORD,
                    SearchRequest.Filters.NONE.withPathPrefix("/dst/new/b"))).hits().size());
        }
    }

    @Test
    void concurrentUpsertsMovesAndSearchesStayConsistent() throws Exception {
        long seed = new Random().nextLong();
        try (SemanticIndex index = SemanticIndex.open(dir, new HashingEmbedder("hash", 32), IndexOptions.DEFAULT)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    Random rnd = new Random(seed + thread);
                    for (int i = 0; i < 100; i++) {
                        long ino = thread * 1000L + i;
                        index.upsert(doc(ino, "/t" + thread + "/" + i + ".txt", words(rnd, 20)));
                        if (i % 5 == 0) index.move(ino, "/moved/t" + thread + "/" + i + ".txt");
                        if (i % 7 == 0) index.delete(ino);
                        if (i % 10 == 0) index.search(SearchRequest.of(words(rnd, 3), 5));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            pool.shutdown();
            // 100 per thread, minus multiples of 7 (0,7,...,98: 15 of them)
            assertEquals(4 * (100 - 15), index.stats().files(), "seed=" + seed);
            assertEquals(4 * 20 - 4 * 3, index.search(new SearchRequest("", 1000, SearchMode.KEYWORD,
                    SearchRequest.Filters.NONE.withPathPrefix("/moved"))).hits().size(), "seed=" + seed);
        }
    }
}
