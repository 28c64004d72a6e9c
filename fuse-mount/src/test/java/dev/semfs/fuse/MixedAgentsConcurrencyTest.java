package dev.semfs.fuse;

import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.ChangeList;
import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.VersionInfo;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Eight agents on one workspace at once, four through their own FUSE mounts and four through
 * the core API, writing, renaming and deleting an overlapping set of files. Afterwards no
 * acknowledged write is missing (each is the live content or a version of some path), the audit
 * trail holds exactly one entry per acknowledged write, rename and delete, with its agent, also
 * for the agents on mounts (where libfuse hides open rename targets first), and the store is
 * consistent.
 */
class MixedAgentsConcurrencyTest {
    static final int AGENTS = 8;
    static final int MOUNTED = 4;
    static final int OPS = 60;
    static final int FILES = 6;

    @TempDir Path dir;

    static final class Tally {
        final List<String> written = new ArrayList<>();
        int writes, renames, deletes, failed;
        /** Renames that were part of a save through a mount (write a temporary file, rename it over). */
        int saveRenames;
    }

    @Test
    void eightAgentsThroughMountsAndTheCoreApiLoseNothing() throws Exception {
        MountFixture.requireFuse();
        long seed = new Random().nextLong();
        String why = "seed " + seed;
        Caller owner = Caller.owner();
        try (Workspace ws = Workspaces.open(dir.resolve("store"), StoreOptions.defaults(), IndexSetup.none())) {
            ws.call(owner, new Op.Mkdir("/shared", false, 0));
            List<MountFixture> mounts = new ArrayList<>();
            try {
                for (int a = 0; a < AGENTS; a++) {
                    ws.call(owner, new Op.AgentCreate("agent" + a));
                    ws.call(owner, new Op.Grant("agent" + a, "/shared", "write"));
                    if (a < MOUNTED) {
                        mounts.add(MountFixture.mount(ws, Files.createDirectories(dir.resolve("m" + a)),
                                MountOptions.forAgent("agent" + a)));
                    }
                }
                long startSeq = ws.call(owner, new Op.Changes(0, 100_000, null)).next();
                ExecutorService pool = Executors.newFixedThreadPool(AGENTS);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Tally>> futures = new ArrayList<>();
                for (int a = 0; a < AGENTS; a++) {
                    int id = a;
                    Path root = a < MOUNTED ? mounts.get(a).mountPoint : null;
                    futures.add(pool.submit(() -> work(ws, id, root, new Random(seed + id), go)));
                }
                go.countDown();
                Map<String, Tally> tallies = new HashMap<>();
                for (int a = 0; a < AGENTS; a++) tallies.put("agent" + a, futures.get(a).get(3, TimeUnit.MINUTES));
                pool.shutdown();

                List<ChangeList.ChangeEntry> entries = new ArrayList<>();
                long after = startSeq;
                while (true) {
                    ChangeList page = ws.call(owner, new Op.Changes(after, 10_000, null));
                    if (page.changes().isEmpty()) break;
                    entries.addAll(page.changes());
                    after = page.next();
                }
                for (int a = 0; a < AGENTS; a++) {
                    String name = "agent" + a;
                    Tally t = tallies.get(name);
                    List<ChangeList.ChangeEntry> mine = entries.stream().filter(e -> e.agent().equals(name)).toList();
                    long renames = mine.stream().filter(e -> e.op().equals("rename")).count();
                    // A move over a file records the replaced one as deleted ("replaced by ..."):
                    // part of the rename, not a delete of the agent's.
                    long deletes = mine.stream().filter(e -> e.op().equals("delete") && !e.reason().startsWith("replaced by")).count();
                    // Every acknowledged save is one version, whoever cut it: the release of the
                    // writer's handle, or another agent's overwrite or delete that kept it first
                    // ("before overwrite", "before delete"), still attributed to the writer.
                    long writes = mine.stream().filter(e -> e.op().equals("write")).count();
                    String ops = why + ": " + name + " " + mine.stream().map(e -> e.op() + "(" + e.reason() + ")")
                            .collect(java.util.stream.Collectors.groupingBy(x -> x, java.util.stream.Collectors.counting()));
                    // Saves through a mount are a write and then a rename over the target.
                    assertEquals(t.renames + t.saveRenames, renames, ops + ": renames");
                    assertEquals(t.deletes, deletes, ops + ": deletes");
                    assertEquals(t.writes, writes, ops + ": writes");
                    // Besides: creates (of new files; every save through a mount creates its temporary
                    // file) and conflict notes (this agent wrote over another's recent version).
                    long creates = mine.stream().filter(e -> e.op().equals("create")).count();
                    if (a < MOUNTED) assertEquals(t.writes, creates, ops + ": creates");
                    assertEquals(mine.size(), renames + writes + creates + mine.stream().filter(e -> e.op().equals("delete")
                            || e.op().equals("conflict")).count(), ops + ": nothing else is recorded");
                    assertEquals(OPS, t.writes + t.renames + t.deletes + t.failed, why);
                }

                Set<String> paths = new HashSet<>();
                for (ChangeList.ChangeEntry e : entries) {
                    if (e.path() != null) paths.add(e.path());
                    if (e.toPath() != null && e.toPath().startsWith("/")) paths.add(e.toPath());
                }
                Set<String> stored = new HashSet<>();
                for (String p : paths) {
                    try {
                        for (VersionInfo v : ws.call(owner, new Op.Log(p)).versions()) {
                            if (v.kind().equals("moved") || v.kind().equals("delete")) continue;
                            stored.add(new String(ws.call(owner, new Op.ReadVersion(p, v.number(), 0, -1)).data(), StandardCharsets.UTF_8));
                        }
                    } catch (java.nio.file.NoSuchFileException noHistory) {
                        // a path only ever created and never closed
                    }
                    try {
                        stored.add(new String(ws.call(owner, new Op.ReadFile(p, 0, -1)).data(), StandardCharsets.UTF_8));
                    } catch (IOException gone) {
                        // deleted or moved away at the end
                    }
                }
                for (Map.Entry<String, Tally> e : tallies.entrySet()) {
                    for (String w : e.getValue().written) assertTrue(stored.contains(w), why + ": lost write by " + e.getKey() + ": " + w);
                }
            } finally {
                for (MountFixture m : mounts) m.close();
            }
            List<String> problems = ws.call(owner, new Op.Status(true)).checkProblems();
            assertTrue(problems.isEmpty(), why + " " + problems);
        }
    }

    private static Tally work(Workspace ws, int id, Path mount, Random r, CountDownLatch go) throws Exception {
        Caller me = Caller.of("agent" + id, "api");
        Tally t = new Tally();
        go.await();
        for (int i = 0; i < OPS; i++) {
            int f = r.nextInt(FILES);
            String file = "/shared/f" + f;
            int kind = r.nextInt(10);
            try {
                if (kind < 6) {
                    String content = "agent" + id + " op " + i + " " + "x".repeat(r.nextInt(300));
                    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
                    if (mount != null) {
                        // Whole-file saves through a mount write a new file and rename it over the old
                        // one, as editors do: in-place writes by two processes to one file interleave
                        // (POSIX), but a rename-over never mixes two saves, and the replaced file's
                        // content stays a version.
                        Path tmp = mount.resolve("shared/.tmp-agent" + id + "-" + i);
                        Files.write(tmp, bytes);
                        Files.move(tmp, mount.resolve(file.substring(1)), StandardCopyOption.REPLACE_EXISTING,
                                StandardCopyOption.ATOMIC_MOVE);
                        t.saveRenames++;
                    } else {
                        ws.call(me, new Op.WriteFile(file, bytes, false, false));
                    }
                    t.written.add(content);
                    t.writes++;
                } else if (kind < 9) {
                    String to = "/shared/f" + ((f + 1 + r.nextInt(FILES - 1)) % FILES);
                    // ATOMIC_MOVE is one rename(2); Java's plain REPLACE_EXISTING unlinks the target first.
                    if (mount != null) Files.move(mount.resolve(file.substring(1)), mount.resolve(to.substring(1)), StandardCopyOption.ATOMIC_MOVE);
                    else ws.call(me, new Op.Move(file, to));
                    t.renames++;
                } else {
                    if (mount != null) Files.delete(mount.resolve(file.substring(1)));
                    else ws.call(me, new Op.Remove(file, false));
                    t.deletes++;
                }
            } catch (java.nio.file.NoSuchFileException | java.nio.file.FileAlreadyExistsException lostRace) {
                t.failed++; // not acknowledged: the file another agent just moved away or deleted
            } catch (dev.semfs.errors.SemfsException e) {
                if (e.code() != dev.semfs.errors.ErrorCode.CONFLICT) throw e;
                t.failed++;
            }
        }
        return t;
    }
}
