package dev.semfs.index;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Search behaviour with the real default model (all-MiniLM-L6-v2) on a real Lucene index. */
class SemanticSearchTest {
    static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;
    Embedder model = TestModels.miniLm();
    SemanticIndex index;

    static final String[][] CORPUS = {
        {"/notes/cooking/bread.md", "How to bake sourdough bread",
            "Mix flour, water and a mature starter. Let the dough ferment overnight, shape it, and bake in a hot Dutch oven until the crust is dark and crackly."},
        {"/notes/garden/tomatoes.md", "Growing tomatoes",
            "Plant tomato seedlings after the last frost in full sun. Water deeply twice a week and stake the vines so the fruit stays off the soil."},
        {"/projects/api/auth.java", "// Token authentication",
            "public final class TokenAuthenticator { boolean verify(String bearerToken) { return signer.verifySignature(bearerToken) && !expired(bearerToken); } }"},
        {"/finance/budget-2024.csv", "category,amount",
            "rent,1800\ngroceries,600\nutilities,220\ntransport,150\nsavings,900"},
        {"/travel/japan.txt", "Trip to Kyoto",
            "We visited temples and shrines in Kyoto, walked through the bamboo forest in Arashiyama, and took the bullet train to Tokyo."},
        {"/health/running.txt", "Marathon training plan",
            "Run four times per week, increase the long run by one mile each weekend, and taper for two weeks before race day to let the legs recover."},
    };

    @BeforeEach
    void open() throws IOException {
        index = SemanticIndex.open(dir.resolve("idx"), model, IndexOptions.DEFAULT);
        List<IndexDocument> docs = new java.util.ArrayList<>();
        for (int i = 0; i < CORPUS.length; i++) {
            String[] c = CORPUS[i];
            docs.add(new IndexDocument(100 + i, c[0], 1, (c[1] + "\n\n" + c[2]).length(), T0 + i * 86_400_000L,
                    i % 2 == 0 ? "alice" : "bob", (c[1] + "\n\n" + c[2]).getBytes(StandardCharsets.UTF_8)));
        }
        index.upsertAll(docs);
    }

    @AfterEach
    void close() throws IOException {
        index.close();
    }

    private String top(String query, SearchMode mode) throws IOException {
        List<SearchHit> hits = index.search(SearchRequest.of(query, 3).withMode(mode)).hits();
        assertFalse(hits.isEmpty(), "no hits for " + query);
        return hits.getFirst().path();
    }

    @Test
    void paraphraseFindsTheRightFile() throws IOException {
        // No query word occurs in the target file: only meaning connects them.
        assertEquals("/notes/garden/tomatoes.md", top("when should I put my vegetable plants outside", SearchMode.SEMANTIC));
        assertEquals("/travel/japan.txt", top("holiday in asia with high speed rail", SearchMode.SEMANTIC));
        assertEquals("/health/running.txt", top("preparing for a long distance footrace", SearchMode.HYBRID));
        assertEquals("/projects/api/auth.java", top("checking login credentials", SearchMode.HYBRID));
    }

    @Test
    void hitsCarryMetadataAndSnippet() throws IOException {
        SearchHit h = index.search(SearchRequest.of("sourdough starter", 1)).hits().getFirst();
        assertEquals("/notes/cooking/bread.md", h.path());
        assertEquals(100, h.ino());
        assertEquals(1, h.version());
        assertEquals(ContentType.MARKDOWN, h.type());
        assertEquals("alice", h.author());
        assertNotNull(h.snippet());
        assertTrue(h.snippet().text().contains("sourdough"), h.snippet().text());
        assertTrue(h.snippet().inSource());
        assertEquals(0, h.snippet().start());
    }

    @Test
    void reUpsertMovesResults() throws IOException {
        String q = "recipe for pancakes with maple syrup";
        assertNotEquals("/travel/japan.txt", top(q, SearchMode.SEMANTIC));
        byte[] text = "Weekend breakfast: whisk eggs, milk and flour into a batter, fry thin pancakes and pour maple syrup over them."
                .getBytes(StandardCharsets.UTF_8);
        index.upsert(IndexDocument.of(104, "/travel/japan.txt", 2, T0, "bob", text));
        assertEquals("/travel/japan.txt", top(q, SearchMode.SEMANTIC));
        assertEquals(2, index.search(SearchRequest.of(q, 1)).hits().getFirst().version());
        // the old content is gone
        assertEquals(0, index.search(SearchRequest.of("bamboo", 5).withMode(SearchMode.KEYWORD)).keywordMatches());
    }

    @Test
    void deleteRemoves() throws IOException {
        assertTrue(index.delete(101));
        assertFalse(index.delete(101));
        for (SearchMode m : SearchMode.values()) {
            for (SearchHit h : index.search(SearchRequest.of("tomato seedlings", 10).withMode(m)).hits()) {
                assertNotEquals(101, h.ino(), m.toString());
            }
        }
        assertEquals(CORPUS.length - 1, index.stats().files());
        assertTrue(index.indexedVersion(101).isEmpty());
    }

    @Test
    void moveKeepsTheFileFindableWithoutEmbedding() throws IOException {
        long before = index.stats().embedded();
        assertTrue(index.move(100, "/archive/baking/bread-notes.md"));
        assertEquals(before, index.stats().embedded(), "a move must not embed");
        SearchHit h = index.search(SearchRequest.of("baking a loaf with natural yeast", 1)
                .withMode(SearchMode.SEMANTIC)).hits().getFirst();
        assertEquals("/archive/baking/bread-notes.md", h.path());
        assertEquals(100, h.ino());
        var underArchive = new SearchRequest.Filters(null, null, null, null, null, null, null, null)
                .withPathPrefix("/archive");
        assertEquals(1, index.search(SearchRequest.of("bread", 10).withFilters(underArchive)).hits().size());
        var underNotes = underArchive.withPathPrefix("/notes/cooking");
        assertEquals(List.of(), index.search(SearchRequest.of("bread", 10).withFilters(underNotes)
                .withMode(SearchMode.SEMANTIC)).hits());
        assertFalse(index.move(999, "/nowhere.txt"));
        assertEquals(before, index.stats().embedded());
    }

    @Test
    void identicalTextIsNeverEmbeddedTwice() throws IOException {
        long before = index.stats().embedded();
        String[] c = CORPUS[4];
        byte[] same = (c[1] + "\n\n" + c[2]).getBytes(StandardCharsets.UTF_8);
        index.upsert(IndexDocument.of(104, c[0], 1, T0 + 4 * 86_400_000L, "alice", same)); // replay
        index.upsert(IndexDocument.of(500, "/copies/japan-copy.txt", 1, T0, "carol", same)); // a copy
        index.delete(104);
        index.upsert(IndexDocument.of(501, "/travel/japan.txt", 1, T0, "carol", same)); // save-by-rename
        assertEquals(before, index.stats().embedded(), "identical text must reuse vectors");
        assertTrue(index.stats().reused() > 0);
        index.upsert(IndexDocument.of(502, "/new.txt", 1, T0, "carol", "entirely new words".getBytes(StandardCharsets.UTF_8)));
        assertEquals(before + 1, index.stats().embedded());
    }

    @Test
    void filtersApply() throws IOException {
        var none = SearchRequest.Filters.NONE;
        for (SearchMode m : SearchMode.values()) {
            String q = m == SearchMode.KEYWORD ? "" : "anything";
            assertPaths(m, q, none.withPathPrefix("/notes"), "/notes/cooking/bread.md", "/notes/garden/tomatoes.md");
            assertPaths(m, q, none.withPathPrefix("/notes/garden/"), "/notes/garden/tomatoes.md");
            assertPaths(m, q, none.withPathPrefix("/note")); // a prefix is a directory, not a string prefix
            assertPaths(m, q, none.withExtensions("java", "csv"), "/projects/api/auth.java", "/finance/budget-2024.csv");
            assertPaths(m, q, none.withTypes(ContentType.TEXT), "/travel/japan.txt", "/health/running.txt");
            assertPaths(m, q, none.withMtime(T0 + 86_400_000L, T0 + 2 * 86_400_000L),
                    "/notes/garden/tomatoes.md", "/projects/api/auth.java");
            assertPaths(m, q, none.withAuthors("bob").withPathPrefix("/travel"));
            assertPaths(m, q, none.withAuthors("alice").withTypes(ContentType.TEXT), "/travel/japan.txt");
            assertPaths(m, q, none.withSize(0L, 100L), "/finance/budget-2024.csv");
        }
    }

    private void assertPaths(SearchMode m, String q, SearchRequest.Filters f, String... expected) throws IOException {
        List<String> got = index.search(new SearchRequest(q, 10, m, f)).hits().stream().map(SearchHit::path).sorted().toList();
        assertEquals(java.util.Arrays.stream(expected).sorted().toList(), got, m + " " + f);
    }

    @Test
    void endOfALongPassageCounts() throws IOException {
        // Three files share the same 85-word start; only their last sentence differs. If the model
        // saw only the first 128 tokens, all three would get the same vector.
        String shared = String.join(" ", java.util.Collections.nCopies(5,
                "The committee reviewed quarterly infrastructure maintenance schedules, procurement contracts, and staffing."));
        String[] endings = {
            "Finally, the penguins huddled together on the Antarctic ice shelf during the blizzard.",
            "Finally, the violinist performed a Baroque concerto in the cathedral.",
            "Finally, the volcano erupted and lava flowed toward the village."};
        for (int i = 0; i < endings.length; i++) {
            String text = shared + " " + endings[i];
            assertEquals(1, dev.semfs.index.internal.PassageSplitter.split(text).size(), "must be one passage");
            index.upsert(IndexDocument.of(700 + i, "/long/" + i + ".txt", 1, T0, "alice", text.getBytes(StandardCharsets.UTF_8)));
        }
        var longOnly = SearchRequest.Filters.NONE.withPathPrefix("/long");
        assertEquals("/long/0.txt", index.search(new SearchRequest("birds in the cold polar snow storm", 3,
                SearchMode.SEMANTIC, longOnly)).hits().getFirst().path());
        assertEquals("/long/1.txt", index.search(new SearchRequest("classical music in a church", 3,
                SearchMode.SEMANTIC, longOnly)).hits().getFirst().path());
        assertEquals("/long/2.txt", index.search(new SearchRequest("eruption of molten rock", 3,
                SearchMode.SEMANTIC, longOnly)).hits().getFirst().path());
    }

    @Test
    void keywordModeMatchesExactTermsAndPhrases() throws IOException {
        SearchResults r = index.search(new SearchRequest("\"bullet train\" AND Tokyo", 10, SearchMode.KEYWORD,
                SearchRequest.Filters.NONE));
        assertEquals(1, r.keywordMatches());
        assertTrue(r.matchesExact());
        assertEquals("/travel/japan.txt", r.hits().getFirst().path());
        assertTrue(r.hits().getFirst().snippet().text().contains("bullet train"));
        assertEquals(0, index.search(new SearchRequest("\"train bullet\"", 10, SearchMode.KEYWORD,
                SearchRequest.Filters.NONE)).keywordMatches());
        assertEquals(2, index.search(new SearchRequest("sourdough OR verifySignature", 10, SearchMode.KEYWORD,
                SearchRequest.Filters.NONE)).keywordMatches());
        assertEquals(1, index.search(new SearchRequest("budget", 10, SearchMode.KEYWORD,
                SearchRequest.Filters.NONE)).keywordMatches(), "file names are searchable");
    }
}
