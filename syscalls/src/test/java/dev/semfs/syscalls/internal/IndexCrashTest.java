package dev.semfs.syscalls.internal;

import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.SearchResult;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/** kill -9 while the background indexer works; on restart the index catches up and equals a full rebuild. */
class IndexCrashTest {
    @TempDir Path dir;

    @Test
    void afterSigkillDuringIndexingTheIndexCatchesUpAndMatchesAFullRebuild() throws Exception {
        long seed = new Random().nextLong();
        int files = 120;
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), IndexCrashWorkload.class.getName(), dir.toString(),
                Integer.toString(files)).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
        String line;
        while ((line = out.readLine()) != null && !line.equals("written")) { /* model and store start-up */ }
        assertEquals("written", line, "the child did not finish writing");
        Thread.sleep(new Random(seed).nextInt(1500)); // somewhere in the middle of indexing
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));

        List<List<String>> caughtUp = new ArrayList<>();
        try (Workspace ws = Workspaces.open(dir, StoreOptions.defaults(), IndexSetup.continuous())) {
            LocalWorkspace local = (LocalWorkspace) ws;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (local.indexService().lag() != 0) {
                assertTrue(System.nanoTime() < deadline, "the index did not catch up (seed " + seed + ")");
                Thread.sleep(20);
            }
            var index = local.indexService().ifOpen().orElseThrow();
            assertEquals(files, index.stats().files(), "every file indexed once");
            for (int i = 0; i < files; i++) { // each file at its newest version, as a rebuild would have it
                var node = ws.call(Caller.owner(), new Op.Stat("/notes/n" + i + ".txt", false));
                assertEquals(java.util.Optional.of(1L), index.indexedVersion(node.ino()), "n" + i + " (seed " + seed + ")");
            }
            // One topic has files/8 notes: a query for it must return exactly those, before and after a rebuild.
            int perTopic = files / IndexCrashWorkload.TOPICS.length;
            for (String q : queries()) caughtUp.add(paths(ws.call(Caller.owner(), Op.Search.of(q, perTopic))));
            ws.call(Caller.owner(), new Op.Reindex());
            for (int i = 0; i < queries().size(); i++) {
                // Scores of near-identical notes may tie differently (BM25 statistics count deleted
                // documents until merged), so compare what was found, not the order of ties.
                assertEquals(new java.util.TreeSet<>(caughtUp.get(i)),
                        new java.util.TreeSet<>(paths(ws.call(Caller.owner(), Op.Search.of(queries().get(i), perTopic)))),
                        "query '" + queries().get(i) + "' after catch-up vs after a full rebuild (seed " + seed + ")");
            }
        }
    }

    private static List<String> queries() {
        return List.of("sleepy kitten", "tax filing", "baking a cake", "space probe", "gardening", "football match");
    }

    private static List<String> paths(SearchResult r) {
        return r.results().stream().map(SearchResult.Hit::path).toList();
    }
}
