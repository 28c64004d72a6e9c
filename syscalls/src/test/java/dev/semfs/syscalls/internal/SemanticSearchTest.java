package dev.semfs.syscalls.internal;

import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.SearchResult;
import dev.semfs.syscalls.Summary;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/** The semantic index fed from the store's change log, with the real offline model. */
class SemanticSearchTest {
    @TempDir Path dir;
    Workspace ws;
    final Caller me = Caller.owner();

    static final String CAT = "The cat slept all afternoon on the warm windowsill, purring in the sun.";
    static final String TAXES = "File your quarterly tax return before the deadline to avoid penalties and interest.";
    static final String RECIPE = "Whisk the eggs with sugar, fold in the flour, and bake the sponge cake for thirty minutes.";

    @BeforeEach
    void open() throws IOException {
        ws = Workspaces.open(dir, StoreOptions.defaults(), IndexSetup.continuous());
    }

    @AfterEach
    void close() throws IOException {
        ws.close();
    }

    private void put(String path, String text) throws IOException {
        ws.call(me, new Op.WriteFile(path, text.getBytes(StandardCharsets.UTF_8), false, true));
    }

    private IndexService index() {
        return ((LocalWorkspace) ws).indexService();
    }

    /** Waits until the background indexer has applied every change (or fails after a while). */
    private void awaitIndexed() throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (index().lag() != 0) {
            assertTrue(System.nanoTime() < deadline, "index still " + index().lag() + " changes behind");
            Thread.sleep(20);
        }
    }

    private List<String> paths(SearchResult r) {
        return r.results().stream().map(SearchResult.Hit::path).toList();
    }

    private SearchResult search(String q) throws IOException {
        return ws.call(me, Op.Search.of(q, 3));
    }

    @Test
    void aWrittenFileIsFoundByAParaphraseAndFollowsEditsDeletesAndRenames() throws Exception {
        put("/notes/pets.txt", CAT);
        put("/notes/money.txt", TAXES);
        put("/notes/baking.md", RECIPE);
        long t0 = System.nanoTime();
        awaitIndexed();
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 30, "indexing took " + seconds + " s");

        SearchResult r = search("a kitten napping in sunshine");
        assertEquals("/notes/pets.txt", r.results().getFirst().path(), r.toString());
        assertFalse(r.results().getFirst().stale());
        assertTrue(r.results().getFirst().snippet().contains("windowsill"), r.toString());
        assertEquals("/notes/money.txt", search("paying the government what you owe").results().getFirst().path());

        // An edit moves it: the cat file now talks about cake.
        put("/notes/pets.txt", "Chocolate frosting recipe: melt butter, add cocoa and icing sugar.");
        awaitIndexed();
        SearchResult edited = search("melted butter with cocoa powder");
        assertEquals("/notes/pets.txt", edited.results().getFirst().path());
        assertTrue(edited.results().getFirst().snippet().contains("cocoa"), edited.toString());
        for (SearchResult.Hit h : search("a kitten napping in sunshine").results()) {
            assertFalse(h.snippet().contains("windowsill"), "the old content is gone from the index: " + h);
        }

        // A rename keeps it findable under the new name, without embedding anything again.
        long embedded = index().ifOpen().orElseThrow().stats().embedded();
        ws.call(me, new Op.Move("/notes/money.txt", "/archive/taxes-2026.txt".replace("/archive", "/notes")));
        awaitIndexed();
        assertEquals("/notes/taxes-2026.txt", search("paying the government what you owe").results().getFirst().path());
        assertEquals(embedded, index().ifOpen().orElseThrow().stats().embedded(), "a rename must not embed");

        // A delete removes it.
        ws.call(me, new Op.Remove("/notes/taxes-2026.txt", false));
        awaitIndexed();
        assertFalse(paths(ws.call(me, Op.Search.of("quarterly tax return deadline", 10))).contains("/notes/taxes-2026.txt"));
        assertEquals(0, ws.call(me, new Op.Status(false)).indexLag());
    }

    @Test
    void filtersAndModesWork() throws Exception {
        put("/a/pets.txt", CAT);
        put("/b/pets.md", CAT + " Again.");
        put("/b/baking.md", RECIPE);
        awaitIndexed();
        SearchResult byPath = ws.call(me, new Op.Search("cat on a windowsill", 5, "hybrid", "/b", null, null, null, null, null, null));
        assertTrue(paths(byPath).stream().allMatch(p -> p.startsWith("/b/")), paths(byPath).toString());
        assertEquals("/b/pets.md", byPath.results().getFirst().path());
        SearchResult byType = ws.call(me, new Op.Search("cat on a windowsill", 5, "semantic", null, List.of("txt"), null, null, null, null, null));
        assertEquals(List.of("/a/pets.txt"), paths(byType));
        SearchResult keyword = ws.call(me, new Op.Search("\"fold in the flour\"", 5, "keyword", null, null, null, null, null, null, null));
        assertEquals(List.of("/b/baking.md"), paths(keyword));
    }

    @Test
    void anAgentNeverSeesHitsInFilesItMayNotRead() throws Exception {
        ws.call(me, new Op.AgentCreate("guest"));
        ws.call(me, new Op.Grant("guest", "/public", "read"));
        put("/public/pets.txt", CAT);
        put("/secret/pets.txt", CAT + " The cat is secret.");
        awaitIndexed();
        SearchResult r = ws.call(Caller.of("guest", "api"), Op.Search.of("cat on a windowsill", 5));
        assertEquals(List.of("/public/pets.txt"), paths(r));
        assertEquals(2, ws.call(me, Op.Search.of("cat on a windowsill", 5)).results().size());
    }

    @Test
    void aSummaryOfASearchCoversOnlyHitsTheAgentMayRead() throws Exception {
        ws.call(me, new Op.AgentCreate("guest"));
        ws.call(me, new Op.Grant("guest", "/public", "read"));
        put("/public/pets.txt", CAT);
        put("/secret/pets.txt", "The secret cat sleeps in the vault on a windowsill of gold.");
        put("/public/cake.txt", RECIPE);
        awaitIndexed();
        Summary owners = ws.call(me, new Op.Summarize(null, "cat on a windowsill", null, 1));
        assertTrue(owners.parts().stream().anyMatch(p -> p.path().equals("/secret/pets.txt")), owners.toString());
        Summary guests = ws.call(Caller.of("guest", "api"), new Op.Summarize(null, "cat on a windowsill", null, 1));
        assertEquals("/public/pets.txt", guests.parts().getFirst().path(), guests.toString());
        assertTrue(guests.parts().stream().noneMatch(p -> p.path().startsWith("/secret")), guests.toString());
        assertFalse(guests.text().contains("vault"), guests.text());
    }

    @Test
    void aReopenedWorkspaceCatchesUpAndMatchesAFullRebuild() throws Exception {
        ws.close();
        // Writes while nobody indexes (as the CLI without a daemon does)...
        try (Workspace plain = Workspaces.open(dir, StoreOptions.defaults(), IndexSetup.none())) {
            plain.call(me, new Op.WriteFile("/x/pets.txt", CAT.getBytes(StandardCharsets.UTF_8), false, true));
            plain.call(me, new Op.WriteFile("/x/cake.txt", RECIPE.getBytes(StandardCharsets.UTF_8), false, true));
        }
        ws = Workspaces.open(dir, StoreOptions.defaults(), IndexSetup.continuous());
        awaitIndexed();
        List<String> caughtUp = paths(ws.call(me, Op.Search.of("sleepy cat", 5)));
        assertEquals("/x/pets.txt", caughtUp.getFirst());
        ws.call(me, new Op.Reindex());
        assertEquals(caughtUp, paths(ws.call(me, Op.Search.of("sleepy cat", 5))));
    }
}
