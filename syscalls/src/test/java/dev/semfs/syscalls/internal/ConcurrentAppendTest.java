package dev.semfs.syscalls.internal;

import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.History;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Agents sharing a log file: appends through several handles at once, each handle a different
 * descriptor of one file, must all land whole and none over another.
 */
class ConcurrentAppendTest {
    private static final int WRITERS = 4;
    private static final int APPENDS = 500;
    private static final int RECORD = 100;
    private static final String FILE = "/log";

    @TempDir Path dir;

    @Test
    void appendsOnTheRealStoreNeverOverlap() throws Exception {
        try (Workspace ws = Workspaces.open(dir, StoreOptions.defaults().withAvgChunkSize(8192))) {
            registerAgents(ws);
            appendConcurrently(ws);
            assertLastVersionHoldsEveryAppend(ws);
        }
    }

    @Test
    void appendsOverTheDaemonSocketNeverOverlap() throws Exception {
        try (LoopbackDaemon daemon = new LoopbackDaemon(Workspaces.open(dir, StoreOptions.defaults().withAvgChunkSize(8192)), dir)) {
            registerAgents(daemon.client);
            appendConcurrently(daemon.client);
            assertLastVersionHoldsEveryAppend(daemon.client);
        }
    }

    @Test
    void appendsOnTheInMemoryWorkspaceNeverOverlap() throws Exception {
        try (Workspace ws = Workspaces.inMemory()) {
            appendConcurrently(ws);
            assertLastVersionHoldsEveryAppend(ws);
        }
    }

    @Test
    void aWriteAtANegativeOffsetIsRefusedAlikeByTheStoreAndInMemory() throws Exception {
        try (Workspace store = Workspaces.open(dir); Workspace memory = Workspaces.inMemory()) {
            for (Workspace ws : List.of(store, memory)) {
                Caller owner = Caller.owner();
                dev.semfs.syscalls.Handle h = ws.call(owner, new Op.Open("/f", true, true, false, false, 0644));
                IOException e = assertThrows(IOException.class, () -> ws.call(owner, new Op.HandleWrite(h.id(), -1, new byte[] {1})));
                assertEquals(dev.semfs.errors.ErrorCode.INVALID_ARGUMENT, dev.semfs.errors.ErrorCode.of(e), ws.getClass().getSimpleName());
                ws.call(owner, new Op.Release(h.id()));
            }
        }
    }

    private static void registerAgents(Workspace ws) throws IOException {
        for (String agent : List.of("alice", "bob")) {
            ws.call(Caller.owner(), new Op.AgentCreate(agent));
            ws.call(Caller.owner(), new Op.Grant(agent, "/", "write"));
        }
    }

    private static Caller caller(int writer) {
        return Caller.of(writer % 2 == 0 ? "alice" : "bob", "api");
    }

    /** Four writers, two per agent, each through its own handle of the one file. */
    private static void appendConcurrently(Workspace ws) throws Exception {
        ws.call(caller(0), new Op.WriteFile(FILE, new byte[0], false, false));
        long[] handles = new long[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
            handles[w] = ws.call(caller(w), new Op.Open(FILE, true, false, false, false, 0)).id();
        }
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < APPENDS; i++) {
                        ws.call(caller(writer), new Op.HandleAppend(handles[writer], record(writer, i)));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        for (int w = 0; w < WRITERS; w++) ws.call(caller(w), new Op.Release(handles[w]));

        byte[] data = ws.call(caller(0), new Op.ReadFile(FILE, 0, -1)).data();
        assertEquals((long) WRITERS * APPENDS * RECORD, data.length, "appends were lost or overlapped");
        Map<String, Integer> seen = new HashMap<>();
        for (int at = 0; at < data.length; at += RECORD) {
            seen.merge(new String(data, at, RECORD, StandardCharsets.US_ASCII), 1, Integer::sum);
        }
        for (int w = 0; w < WRITERS; w++) {
            for (int i = 0; i < APPENDS; i++) {
                String r = new String(record(w, i), StandardCharsets.US_ASCII);
                assertEquals(1, seen.getOrDefault(r, 0), "record " + r.strip());
            }
        }
    }

    /** Versions see an append as a write: the releases leave one holding every record. */
    private static void assertLastVersionHoldsEveryAppend(Workspace ws) throws IOException {
        History h = ws.call(caller(0), new Op.Log(FILE));
        assertFalse(h.versions().isEmpty());
        assertEquals((long) WRITERS * APPENDS * RECORD, h.versions().getLast().size());
    }

    /** A distinct record of exactly RECORD bytes, newline-terminated. */
    private static byte[] record(int writer, int i) {
        String head = "w" + writer + "-r" + i + "-";
        byte[] b = (head + String.valueOf((char) ('a' + writer)).repeat(RECORD - 1 - head.length()) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(RECORD, b.length);
        return b;
    }
}
