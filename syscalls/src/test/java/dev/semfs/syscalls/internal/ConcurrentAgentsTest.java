package dev.semfs.syscalls.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.ChangeList;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.VersionInfo;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight agents write, rename and delete in an overlapping set of files at once, through the
 * core API. Afterwards every acknowledged write is the live content or a version, the audit
 * trail holds exactly the acknowledged operations with the right agent, and the store checks.
 */
class ConcurrentAgentsTest {
    static final int AGENTS = 8;
    static final int OPS_PER_AGENT = 60;
    static final int FILES = 6;

    @TempDir Path dir;

    /** What one agent's thread did, counted only when the call returned normally. */
    static final class Tally {
        final List<String> written = new ArrayList<>();
        int writes;
        int renames;
        int deletes;
        int failed;
    }

    private static boolean partOfRename(List<ChangeList.ChangeEntry> entries, int i, ChangeList.ChangeEntry delete) {
        if (i < 0 || i >= entries.size()) return false;
        ChangeList.ChangeEntry r = entries.get(i);
        return r.op().equals("rename") && r.agent().equals(delete.agent()) && delete.path().equals(r.toPath())
                && Math.abs(r.seq() - delete.seq()) == 1 && r.time() == delete.time()
                && delete.reason().startsWith("replaced by");
    }

    @Test
    void eightAgentsOnOverlappingFilesLoseNoAcknowledgedWriteAndTheAuditCountsEveryOperation() throws Exception {
        long seed = new Random().nextLong();
        String why = "seed " + seed;
        try (Workspace ws = Workspaces.open(dir, StoreOptions.defaults().withAvgChunkSize(8192))) {
            Caller owner = Caller.owner();
            ws.call(owner, new Op.Mkdir("/shared", false, 0));
            for (int a = 0; a < AGENTS; a++) {
                ws.call(owner, new Op.AgentCreate("agent" + a));
                ws.call(owner, new Op.Grant("agent" + a, "/shared", "write"));
            }
            long startSeq = ws.call(owner, new Op.Changes(0, 10_000, null)).next();
            ExecutorService pool = Executors.newFixedThreadPool(AGENTS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Tally>> futures = new ArrayList<>();
            for (int a = 0; a < AGENTS; a++) {
                int id = a;
                Random r = new Random(seed + a);
                futures.add(pool.submit(() -> {
                    Caller me = Caller.of("agent" + id, "api");
                    Tally t = new Tally();
                    go.await();
                    for (int i = 0; i < OPS_PER_AGENT; i++) {
                        String f = "/shared/f" + r.nextInt(FILES);
                        int kind = r.nextInt(10);
                        try {
                            if (kind < 6) {
                                String content = "agent" + id + " op " + i + " " + "x".repeat(r.nextInt(200));
                                ws.call(me, new Op.WriteFile(f, content.getBytes(StandardCharsets.UTF_8), false, false));
                                t.written.add(content);
                                t.writes++;
                            } else if (kind < 9) {
                                String to = "/shared/f" + Math.floorMod(r.nextInt(FILES - 1) + 1 + (f.charAt(f.length() - 1) - '0'), FILES);
                                ws.call(me, new Op.Move(f, to)); // never onto itself: that is a no-op, not logged
                                t.renames++;
                            } else {
                                ws.call(me, new Op.Remove(f, false));
                                t.deletes++;
                            }
                        } catch (java.nio.file.NoSuchFileException | java.nio.file.FileAlreadyExistsException expected) {
                            // Not acknowledged: renaming or deleting a file another agent just moved
                            // away; a write that lost a race to create the same new file.
                            t.failed++;
                        } catch (dev.semfs.errors.SemfsException e) {
                            if (e.code() != dev.semfs.errors.ErrorCode.CONFLICT) throw e;
                            t.failed++; // "target changed during rename; try again": not acknowledged
                        }
                    }
                    return t;
                }));
            }
            go.countDown();
            Map<String, Tally> tallies = new HashMap<>();
            for (int a = 0; a < AGENTS; a++) tallies.put("agent" + a, futures.get(a).get(2, TimeUnit.MINUTES));
            pool.shutdown();

            // The audit trail: exactly the acknowledged operations, each with its agent.
            List<ChangeList.ChangeEntry> entries = new ArrayList<>();
            long after = startSeq;
            while (true) {
                ChangeList page = ws.call(owner, new Op.Audit(null, null, null, null, after, 10_000));
                if (page.changes().isEmpty()) break;
                entries.addAll(page.changes());
                after = page.next();
            }
            int total = 0;
            int mutations = 0;
            for (int a = 0; a < AGENTS; a++) {
                String name = "agent" + a;
                Tally t = tallies.get(name);
                total += t.writes + t.renames + t.deletes;
                Map<String, Integer> byOp = new HashMap<>();
                for (int i = 0; i < entries.size(); i++) {
                    ChangeList.ChangeEntry e = entries.get(i);
                    if (!e.agent().equals(name)) continue;
                    // A rename over an existing file logs the replaced file's deletion just before the
                    // rename, in the same batch (a plain delete right after a rename is not one).
                    boolean replaced = e.op().equals("delete") && partOfRename(entries, i + 1, e);
                    byOp.merge(replaced ? "delete-by-rename" : e.op(), 1, Integer::sum);
                }
                assertEquals(t.writes, byOp.getOrDefault("write", 0), why + " writes of " + name);
                assertEquals(t.renames, byOp.getOrDefault("rename", 0), why + " renames of " + name);
                assertEquals(t.deletes, byOp.getOrDefault("delete", 0), why + " deletes of " + name);
                int creates = byOp.getOrDefault("create", 0);
                int truncates = byOp.getOrDefault("truncate", 0);
                // A whole-file write logs create+write (new file) or [truncate+]write (existing file).
                assertTrue(creates + truncates <= t.writes, why + " " + byOp);
                int replaced = byOp.getOrDefault("delete-by-rename", 0);
                assertTrue(replaced <= t.renames, why + " " + byOp);
                Set<String> known = Set.of("create", "write", "truncate", "rename", "delete", "delete-by-rename", "conflict");
                assertTrue(known.containsAll(byOp.keySet()), why + " " + byOp);
                mutations += t.writes + creates + truncates + t.renames + replaced + t.deletes;
            }
            assertEquals(AGENTS * OPS_PER_AGENT, total + tallies.values().stream().mapToInt(t -> t.failed).sum(), why);
            assertEquals(mutations, entries.stream().filter(e -> !e.op().equals("conflict")).count(), why);
            assertTrue(entries.stream().allMatch(e -> e.agent().startsWith("agent")), why);

            // Every acknowledged write is the live content or a version of some path it had.
            Set<String> paths = new HashSet<>();
            for (ChangeList.ChangeEntry e : entries) {
                paths.add(e.path());
                if (e.toPath() != null && e.toPath().startsWith("/")) paths.add(e.toPath());
            }
            Set<String> stored = new HashSet<>();
            for (String p : paths) {
                for (VersionInfo v : ws.call(owner, new Op.Log(p)).versions()) {
                    if (v.kind().equals("moved") || v.kind().equals("delete")) continue;
                    stored.add(new String(ws.call(owner, new Op.ReadVersion(p, v.number(), 0, -1)).data(), StandardCharsets.UTF_8));
                }
                try {
                    stored.add(new String(ws.call(owner, new Op.ReadFile(p, 0, -1)).data(), StandardCharsets.UTF_8));
                } catch (java.nio.file.NoSuchFileException gone) {
                    // deleted or moved away at the end
                }
            }
            for (Tally t : tallies.values()) {
                for (String w : t.written) assertTrue(stored.contains(w), why + ": lost write " + w.substring(0, Math.min(20, w.length())));
            }
            List<String> problems = ws.call(owner, new Op.Status(true)).checkProblems();
            assertTrue(problems.isEmpty(), why + " " + problems);
        }
    }
}
