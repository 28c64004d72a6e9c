package dev.semfs.syscalls.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.DiffResult;
import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.Handle;
import dev.semfs.syscalls.History;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.VersionInfo;
import dev.semfs.syscalls.RollbackResult;
import dev.semfs.syscalls.SnapshotInfo;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

class LocalWorkspaceTest {
    /** A clock the test moves by hand, so "as of" rollbacks are exact. */
    static final class ManualClock extends Clock {
        volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
        void advance(Duration d) { now = now.plus(d); }
    }

    @TempDir Path dir;
    final ManualClock clock = new ManualClock();
    final Caller me = Caller.of("alice", "api");
    Workspace ws;

    @BeforeEach
    void open() throws IOException {
        ws = Workspaces.open(dir, StoreOptions.defaults().withAvgChunkSize(8192).withClock(clock));
        registerAgents();
    }

    void registerAgents() throws IOException {
        for (String agent : List.of("alice", "bob")) { // unknown agents are refused: register the ones used here
            ws.call(Caller.owner(), new Op.AgentCreate(agent));
            ws.call(Caller.owner(), new Op.Grant(agent, "/", "write"));
            ws.call(Caller.owner(), new Op.SetAdmin(agent, true)); // snapshots, status and gc need admin
        }
    }

    @AfterEach
    void close() throws IOException {
        ws.close();
    }

    private void put(String path, String text) throws IOException {
        ws.call(me, new Op.WriteFile(path, text.getBytes(StandardCharsets.UTF_8), false, true));
        clock.advance(Duration.ofSeconds(10));
    }

    private String cat(String path) throws IOException {
        return new String(ws.call(me, new Op.ReadFile(path, 0, -1)).data(), StandardCharsets.UTF_8);
    }

    private ErrorCode codeOf(Executable e) {
        try {
            e.run();
        } catch (Exception ex) {
            return ErrorCode.of(ex);
        }
        throw new AssertionError("expected a failure");
    }

    interface Executable { void run() throws Exception; }

    @Test
    void pathsAreNormalisedAndEscapesRefused() throws Exception {
        put("a//b/./c.txt", "x");
        assertEquals("x", cat("/a/b/c.txt"));
        assertEquals("x", cat("/a/b/../b/c.txt"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, codeOf(() -> cat("/../etc/passwd")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, codeOf(() -> cat("/a/../../x")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, codeOf(() -> put("/a/b\0c", "x")));
        assertEquals(ErrorCode.TOO_LARGE, codeOf(() -> put("/" + "n".repeat(256), "x")));
        assertEquals(ErrorCode.READ_ONLY, codeOf(() -> put("/.semfs/x", "x")));
        assertEquals(ErrorCode.NOT_FOUND, codeOf(() -> cat("/nope")));
        assertEquals(ErrorCode.IS_DIRECTORY, codeOf(() -> cat("/a")));
        assertEquals(ErrorCode.NOT_DIRECTORY, codeOf(() -> cat("/a/b/c.txt/d")));
        assertTrue(ws.call(me, new Op.Mkdir("/", true, 0)).isDirectory(), "mkdir -p / succeeds, as in POSIX");
        assertEquals(ErrorCode.INVALID_ARGUMENT, codeOf(() -> ws.call(me, new Op.Mkdir("/", false, 0))));
    }

    @Test
    void everyCloseOfAWrittenFileIsAVersionAndUnwrittenClosesAreNot() throws Exception {
        Handle h = ws.call(me, new Op.Open("/f", true, true, false, false, 0644));
        ws.call(me, new Op.HandleWrite(h.id(), 0, "one".getBytes()));
        ws.call(me, new Op.Release(h.id()));
        Handle r = ws.call(me, new Op.Open("/f", false, false, false, false, 0));
        ws.call(me, new Op.Release(r.id()));
        for (int i = 2; i <= 10; i++) put("/f", "v" + i);
        History log = ws.call(me, new Op.Log("/f"));
        assertEquals(10, log.versions().size());
        assertEquals("one", new String(ws.call(me, new Op.ReadVersion("/f", 1, 0, -1)).data()));
        assertEquals("alice", log.versions().getFirst().agent());
    }

    @Test
    void rollbackByNumberBackAndTimeEachAddAVersion() throws Exception {
        put("/doc.md", "# Title\none\n");
        Instant afterFirst = clock.instant().minusSeconds(1); // put() moved the clock on 10 s
        put("/doc.md", "# Title\ntwo\n");
        put("/doc.md", "# Title\nthree\n");
        RollbackResult r = ws.call(me, new Op.Rollback("/doc.md", Op.RollbackTarget.toVersion(1)));
        assertEquals("restored", r.changed().getFirst().action());
        assertEquals("# Title\none\n", cat("/doc.md"));
        assertEquals(4, ws.call(me, new Op.Log("/doc.md")).versions().size());
        clock.advance(Duration.ofSeconds(10));
        ws.call(me, new Op.Rollback("/doc.md", Op.RollbackTarget.back(1))); // the version before the newest: "three"
        assertEquals("# Title\nthree\n", cat("/doc.md"));
        clock.advance(Duration.ofSeconds(10));
        ws.call(me, new Op.Rollback("/doc.md", Op.RollbackTarget.at(afterFirst)));
        assertEquals("# Title\none\n", cat("/doc.md"));
        ws.call(me, new Op.Rollback("/doc.md", Op.RollbackTarget.toVersion(3))); // and a rollback can be undone
        assertEquals("# Title\nthree\n", cat("/doc.md"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, codeOf(() -> ws.call(me, new Op.Rollback("/doc.md", Op.RollbackTarget.back(50)))));
        assertEquals(ErrorCode.NOT_FOUND, codeOf(() -> ws.call(me, new Op.Rollback("/doc.md", Op.RollbackTarget.toVersion(99)))));
    }

    @Test
    void aDeletedFileRollsBack() throws Exception {
        put("/notes/todo.txt", "buy milk");
        ws.call(me, new Op.Remove("/notes/todo.txt", false));
        assertEquals(ErrorCode.NOT_FOUND, codeOf(() -> cat("/notes/todo.txt")));
        History h = ws.call(me, new Op.Log("/notes/todo.txt"));
        assertTrue(h.deleted());
        ws.call(me, new Op.Rollback("/notes/todo.txt", Op.RollbackTarget.toVersion(1)));
        assertEquals("buy milk", cat("/notes/todo.txt"));
        // Deleted with its directory too: the directory comes back as well.
        ws.call(me, new Op.Remove("/notes", true));
        ws.call(me, new Op.Rollback("/notes/todo.txt", Op.RollbackTarget.back(1)));
        assertEquals("buy milk", cat("/notes/todo.txt"));
    }

    @Test
    void editorSavesByRenameKeepOneHistoryPerPath() throws Exception {
        put("/essay.txt", "draft 1");
        for (int i = 2; i <= 4; i++) {
            put("/.essay.txt.swp", "draft " + i);
            ws.call(me, new Op.Move("/.essay.txt.swp", "/essay.txt"));
        }
        History h = ws.call(me, new Op.Log("/essay.txt"));
        List<String> kinds = h.versions().stream().map(v -> v.kind()).toList();
        assertEquals(4, kinds.stream().filter(k -> !k.equals("delete") && !k.equals("moved")).count(), kinds.toString());
        ws.call(me, new Op.Rollback("/essay.txt", Op.RollbackTarget.toVersion(1)));
        assertEquals("draft 1", cat("/essay.txt"));
    }

    @Test
    void treeRollbackToATimeRestoresExactlyThatTree() throws Exception {
        put("/p/a.txt", "a1");
        put("/p/sub/b.txt", "b1");
        Instant then = clock.instant().minusSeconds(1);
        put("/p/a.txt", "a2");
        ws.call(me, new Op.Remove("/p/sub", true));
        put("/p/new.txt", "new");
        ws.call(me, new Op.Move("/p/a.txt", "/p/renamed.txt"));
        clock.advance(Duration.ofSeconds(10));
        ws.call(me, new Op.Rollback("/p", Op.RollbackTarget.at(then)));
        assertEquals("a1", cat("/p/a.txt"));
        assertEquals("b1", cat("/p/sub/b.txt"));
        assertEquals(ErrorCode.NOT_FOUND, codeOf(() -> cat("/p/new.txt")));
        assertEquals(ErrorCode.NOT_FOUND, codeOf(() -> cat("/p/renamed.txt")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, codeOf(() -> ws.call(me, new Op.Rollback("/p", Op.RollbackTarget.toVersion(1)))));
    }

    @Test
    void snapshotAndRestoreOfTheWorkspaceAndOfOnePath() throws Exception {
        put("/x.txt", "x1");
        put("/d/y.txt", "y1");
        SnapshotInfo s = ws.call(me, new Op.Snapshot("before"));
        assertEquals(3, s.entries());
        put("/x.txt", "x2");
        put("/d/y.txt", "y2");
        put("/z.txt", "z");
        ws.call(me, new Op.Restore("before", "/d/y.txt"));
        assertEquals("y1", cat("/d/y.txt"));
        assertEquals("x2", cat("/x.txt"));
        assertEquals("y1", new String(ws.call(me, new Op.SnapshotRead("before", "/d/y.txt", 0, -1)).data()));
        assertEquals(List.of("d", "x.txt"), ws.call(me, new Op.SnapshotDir("before", "/")).entries().stream().map(FileInfo::name).toList());
        ws.call(me, new Op.Restore("1", null));
        assertEquals("x1", cat("/x.txt"));
        assertEquals(ErrorCode.NOT_FOUND, codeOf(() -> cat("/z.txt")));
        assertEquals(ErrorCode.NOT_FOUND, codeOf(() -> ws.call(me, new Op.Restore("nope", null))));
        assertTrue(ws.call(me, new Op.Status(true)).checkProblems().isEmpty());
    }

    @Test
    void diffShowsLinesAndTheSectionsThatChanged() throws Exception {
        put("/n.md", "# Intro\nhello\n\n# Plan\nstep one\nstep two\n");
        put("/n.md", "# Intro\nhello\n\n# Plan\nstep one\nstep 2\n");
        DiffResult d = ws.call(me, new Op.Diff("/n.md", null, null));
        assertEquals(1, d.added());
        assertEquals(1, d.removed());
        assertTrue(d.unified().contains("-step two"), d.unified());
        assertTrue(d.unified().contains("+step 2"), d.unified());
        assertEquals(List.of("# Plan"), d.sections());
        ws.call(me, new Op.WriteFile("/bin", new byte[]{0, 1, 2}, false, false));
        assertTrue(ws.call(me, new Op.Diff("/bin", 0L, 1L)).binary());
    }

    @Test
    void openHandleSurvivesUnlinkAndFollowsRename() throws Exception {
        put("/live.txt", "content");
        Handle h = ws.call(me, new Op.Open("/live.txt", true, false, false, false, 0));
        ws.call(me, new Op.Move("/live.txt", "/moved.txt"));
        ws.call(me, new Op.HandleWrite(h.id(), 7, " more".getBytes()));
        ws.call(me, new Op.Release(h.id()));
        assertEquals("content more", cat("/moved.txt"));
        assertEquals("/live.txt", ws.call(me, new Op.Log("/moved.txt")).movedFrom(), "the history points back across the rename");
        assertEquals(2, ws.call(me, new Op.Log("/moved.txt")).versions().stream().filter(v -> !v.kind().equals("moved")).count());
        Handle g = ws.call(me, new Op.Open("/moved.txt", false, false, false, false, 0));
        ws.call(me, new Op.Remove("/moved.txt", false));
        assertEquals("content more", new String(ws.call(me, new Op.HandleRead(g.id(), 0, 100)).data()));
        ws.call(me, new Op.Release(g.id()));
        assertEquals(ErrorCode.BAD_HANDLE, codeOf(() -> ws.call(me, new Op.Release(g.id()))));
    }

    @Test
    void eachCloseOfAWrittenDescriptorIsAVersionAndTheHandleStaysOpen() throws Exception {
        put("/c.txt", "zero");
        Handle h = ws.call(me, new Op.Open("/c.txt", true, false, false, false, 0));
        ws.call(me, new Op.HandleClose(h.id()));
        assertEquals(List.of("zero"), versionTexts("/c.txt"), "a close without a write cuts nothing");
        ws.call(me, new Op.HandleWrite(h.id(), 4, " one".getBytes()));
        ws.call(me, new Op.HandleClose(h.id()));
        assertEquals(List.of("zero", "zero one"), versionTexts("/c.txt"));
        ws.call(me, new Op.HandleClose(h.id()));
        ws.call(me, new Op.HandleWrite(h.id(), 8, " two".getBytes()));
        ws.call(me, new Op.HandleClose(h.id()));
        ws.call(me, new Op.Release(h.id()));
        assertEquals(List.of("zero", "zero one", "zero one two"), versionTexts("/c.txt"), "the release after the last close adds nothing");
        Handle g = ws.call(me, new Op.Open("/c.txt", true, false, false, false, 0));
        ws.call(me, new Op.HandleWrite(g.id(), 12, "!".getBytes()));
        ws.call(me, new Op.Release(g.id()));
        assertEquals(List.of("zero", "zero one", "zero one two", "zero one two!"), versionTexts("/c.txt"),
                "written since the last close: the release cuts it");
        assertEquals(ErrorCode.BAD_HANDLE, codeOf(() -> ws.call(me, new Op.HandleClose(g.id()))));

        // A shell's `> f`: open with truncate, close the first descriptor (dup2'ed), write, close.
        Handle s = ws.call(me, new Op.Open("/c.txt", true, true, false, true, 0644));
        ws.call(me, new Op.HandleClose(s.id()));
        ws.call(me, new Op.HandleWrite(s.id(), 0, "new".getBytes()));
        ws.call(me, new Op.HandleClose(s.id()));
        ws.call(me, new Op.Release(s.id()));
        assertEquals("new", versionTexts("/c.txt").getLast());
        assertEquals(5, versionTexts("/c.txt").size(), "the truncated, not yet written file is no version of its own");
        // Truncated and closed without a write: the release versions the now empty file.
        Handle e = ws.call(me, new Op.Open("/c.txt", true, false, false, true, 0));
        ws.call(me, new Op.HandleClose(e.id()));
        ws.call(me, new Op.Release(e.id()));
        assertEquals("", versionTexts("/c.txt").getLast());
    }

    private List<String> versionTexts(String path) throws IOException {
        List<String> out = new ArrayList<>();
        for (VersionInfo v : ws.call(me, new Op.Log(path)).versions()) {
            out.add(new String(ws.call(me, new Op.ReadVersion(path, v.number(), 0, -1)).data()));
        }
        return out;
    }

    @Test
    void concurrentWritersOnDifferentFilesAndTheSameFileLoseNothing() throws Exception {
        long seed = new Random().nextLong();
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ConcurrentHashMap<String, String> last = new ConcurrentHashMap<>();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            fs.add(pool.submit(() -> {
                Random rnd = new Random(seed + id);
                for (int i = 0; i < 150; i++) {
                    String own = "/own/" + id + ".txt";
                    String text = "thread " + id + " write " + i + " " + rnd.nextLong();
                    ws.call(me, new Op.WriteFile(own, text.getBytes(), false, true));
                    last.put(own, text);
                    ws.call(me, new Op.WriteFile("/shared.txt", text.getBytes(), false, true));
                    String read = new String(ws.call(me, new Op.ReadFile(own, 0, -1)).data());
                    if (!read.equals(text)) throw new AssertionError("read back " + read + ", seed " + seed);
                    ws.call(me, new Op.ReadFile("/shared.txt", 0, -1));
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES));
        }
        for (var e : last.entrySet()) assertEquals(e.getValue(), cat(e.getKey()), "seed " + seed);
        History shared = ws.call(me, new Op.Log("/shared.txt"));
        assertEquals(threads * 150, shared.versions().size(), "every write of the shared file is a version, seed " + seed);
        String now = cat("/shared.txt");
        assertTrue(now.startsWith("thread "), "the shared file holds one whole write: " + now);
        assertTrue(ws.call(me, new Op.Status(true)).checkProblems().isEmpty());
    }

    @Test
    void aClosedWorkspaceRefusesCallsClearly() throws Exception {
        ws.close();
        assertEquals(ErrorCode.IO, codeOf(() -> cat("/x")));
    }

    @Test
    void changesFeedListsMutationsWithTheirAgent() throws Exception {
        put("/a", "1");
        ws.call(Caller.of("bob", "cli"), new Op.Move("/a", "/b"));
        var list = ws.call(me, new Op.Changes(0, 100, "/"));
        assertEquals(List.of("create", "write", "rename"), list.changes().stream().map(c -> c.op()).toList());
        assertEquals("bob", list.changes().getLast().agent());
        assertEquals(list.changes().getLast().seq(), list.next());
        assertEquals(0, ws.call(me, new Op.Changes(list.next(), 100, "/")).changes().size());
    }
}
