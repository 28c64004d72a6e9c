package dev.semfs.syscalls.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.semfs.errors.ErrorCode;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.ChangeList;
import dev.semfs.syscalls.LeaseInfo;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.RollbackResult;
import dev.semfs.syscalls.VersionInfo;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Audit, leases, conflicts and per-agent undo through the core API. */
class AgentCoordinationTest {
    @TempDir Path dir;
    final LocalWorkspaceTest.ManualClock clock = new LocalWorkspaceTest.ManualClock();
    final Caller owner = Caller.owner();
    final Caller alice = Caller.of("alice", "mcp");
    final Caller bob = Caller.of("bob", "fuse");
    Workspace ws;

    @BeforeEach
    void open() throws IOException {
        ws = Workspaces.open(dir, StoreOptions.defaults().withAvgChunkSize(8192).withClock(clock));
        for (String a : List.of("alice", "bob")) {
            ws.call(owner, new Op.AgentCreate(a));
            ws.call(owner, new Op.Grant(a, "/", "write"));
        }
    }

    @AfterEach
    void close() throws IOException {
        ws.close();
    }

    private void put(Caller c, String path, String text) throws IOException {
        ws.call(c, new Op.WriteFile(path, text.getBytes(StandardCharsets.UTF_8), false, true));
        clock.advance(Duration.ofSeconds(1));
    }

    private String cat(String path) throws IOException {
        return new String(ws.call(owner, new Op.ReadFile(path, 0, -1)).data(), StandardCharsets.UTF_8);
    }

    private long now() {
        return clock.instant().getEpochSecond() * 1_000_000_000L + clock.instant().getNano();
    }

    private List<ChangeList.ChangeEntry> audit(String prefix, String agent, Long since, Long until) throws IOException {
        return ws.call(owner, new Op.Audit(prefix, agent, since, until, 0, 10_000)).changes();
    }

    @Test
    void theAuditTrailRecordsEveryMutationWithItsAgentAndFrontEnd() throws Exception {
        put(alice, "/a/one.txt", "1");                        // mkdir /a, create, write
        long t1 = now();
        put(bob, "/a/two.txt", "2");                          // create, write
        ws.call(alice, new Op.Move("/a/one.txt", "/a/uno.txt")); // rename
        clock.advance(Duration.ofSeconds(1));
        long t2 = now();
        ws.call(bob, new Op.Remove("/a/two.txt", false));     // delete
        ws.call(alice, new Op.SetXattr("/a/uno.txt", "user.k", "v".getBytes(), 0)); // xattr
        List<ChangeList.ChangeEntry> mine = audit(null, "alice", null, null);
        assertEquals(List.of("mkdir", "create", "write", "rename", "xattr"), mine.stream().map(ChangeList.ChangeEntry::op).toList());
        assertTrue(mine.stream().allMatch(c -> c.agent().equals("alice") && c.via().equals("mcp")));
        List<ChangeList.ChangeEntry> bobs = audit(null, "bob", null, null);
        assertEquals(List.of("create", "write", "delete"), bobs.stream().map(ChangeList.ChangeEntry::op).toList());
        assertTrue(bobs.stream().allMatch(c -> c.via().equals("fuse")));
        assertEquals(List.of("create", "write", "rename"), audit(null, null, t1, t2).stream().map(ChangeList.ChangeEntry::op).toList());
        assertEquals(List.of("rename", "xattr"), audit("/a/uno.txt", null, null, null).stream().map(ChangeList.ChangeEntry::op).toList());
        assertEquals(List.of("delete"), audit("/a", "bob", t2, null).stream().map(ChangeList.ChangeEntry::op).toList());
        assertEquals(8, audit("/", null, null, null).size());
        // Paging: afterSeq continues where the last page stopped.
        ChangeList first = ws.call(owner, new Op.Audit(null, null, null, null, 0, 3));
        ChangeList rest = ws.call(owner, new Op.Audit(null, null, null, null, first.next(), 100));
        assertEquals(3, first.changes().size());
        assertEquals(5, rest.changes().size());
        assertEquals(first.changes().getLast().seq() + 1, rest.changes().getFirst().seq());
    }

    @Test
    void leasesAreAdvisoryExpireAndAWriteUnderAnothersLeaseIsAConflictThatLosesNothing() throws Exception {
        put(alice, "/doc.md", "alice 1");
        clock.advance(Duration.ofMinutes(1));
        LeaseInfo l = ws.call(alice, new Op.LeaseAcquire("/doc.md", 30_000));
        assertEquals(now() + 30_000_000_000L, l.expiresNanos());
        Exception busy = assertThrows(Exception.class, () -> ws.call(bob, new Op.LeaseAcquire("/doc.md", 5_000)));
        assertEquals(ErrorCode.CONFLICT, ErrorCode.of(busy));
        assertTrue(busy.getMessage().contains("alice"), busy.getMessage());
        assertEquals(ErrorCode.CONFLICT, ErrorCode.of(assertThrows(Exception.class, () -> ws.call(bob, new Op.LeaseAcquire("/", 5_000)))));
        assertEquals(List.of("/doc.md"), ws.call(bob, new Op.Leases(null)).leases().stream().map(LeaseInfo::path).toList());
        // Advisory: bob's write goes through, and the feed says it happened under alice's lease.
        put(bob, "/doc.md", "bob 1");
        ChangeList.ChangeEntry conflict = ws.call(alice, new Op.Changes(0, 100, "/doc.md")).changes().stream()
                .filter(c -> c.op().equals("conflict")).findFirst().orElseThrow();
        assertEquals("bob", conflict.agent());
        assertTrue(conflict.reason().contains("alice"), conflict.reason());
        assertEquals(2, conflict.version());
        List<VersionInfo> versions = ws.call(owner, new Op.Log("/doc.md")).versions();
        assertEquals(List.of("alice", "bob"), versions.stream().map(VersionInfo::agent).toList());
        assertEquals("alice 1", new String(ws.call(owner, new Op.ReadVersion("/doc.md", 1, 0, -1)).data(), StandardCharsets.UTF_8));
        assertEquals("bob 1", cat("/doc.md"));
        // Renew, then expire.
        clock.advance(Duration.ofSeconds(25));
        ws.call(alice, new Op.LeaseRenew("/doc.md", 10_000));
        clock.advance(Duration.ofSeconds(9));
        assertEquals(ErrorCode.CONFLICT, ErrorCode.of(assertThrows(Exception.class, () -> ws.call(bob, new Op.LeaseAcquire("/doc.md", 5_000)))));
        clock.advance(Duration.ofSeconds(1));
        assertTrue(ws.call(bob, new Op.Leases("/")).leases().isEmpty(), "expired");
        assertEquals(ErrorCode.NOT_FOUND, ErrorCode.of(assertThrows(Exception.class, () -> ws.call(alice, new Op.LeaseRenew("/doc.md", 10_000)))));
        ws.call(bob, new Op.LeaseAcquire("/doc.md", 5_000));
        assertEquals(ErrorCode.NOT_FOUND, ErrorCode.of(assertThrows(Exception.class, () -> ws.call(alice, new Op.LeaseRelease("/doc.md")))));
        ws.call(bob, new Op.LeaseRelease("/doc.md"));
        ws.call(alice, new Op.LeaseAcquire("/doc.md", 5_000));
        // A lease needs write access.
        ws.call(owner, new Op.AgentCreate("reader"));
        ws.call(owner, new Op.Grant("reader", "/", "read"));
        assertEquals(ErrorCode.ACCESS_DENIED, ErrorCode.of(assertThrows(Exception.class,
                () -> ws.call(Caller.of("reader", "api"), new Op.LeaseAcquire("/x", 5_000)))));
    }

    @Test
    void aWriteOverAnotherAgentsFreshVersionIsAConflictAnOldOneIsNot() throws Exception {
        put(alice, "/f", "alice");          // +1 s
        put(bob, "/f", "bob");              // 1 s after alice's version: conflict
        put(bob, "/f", "bob again");        // over bob's own: none
        clock.advance(AgentGuard.CONFLICT_WINDOW);
        put(alice, "/f", "alice later");    // bob's version is old now: none
        List<ChangeList.ChangeEntry> conflicts = audit("/f", null, null, null).stream().filter(c -> c.op().equals("conflict")).toList();
        assertEquals(1, conflicts.size(), conflicts.toString());
        assertEquals("bob", conflicts.getFirst().agent());
        assertTrue(conflicts.getFirst().reason().contains("alice"), conflicts.getFirst().reason());
        List<String> contents = new java.util.ArrayList<>();
        for (VersionInfo v : ws.call(owner, new Op.Log("/f")).versions()) {
            contents.add(new String(ws.call(owner, new Op.ReadVersion("/f", v.number(), 0, -1)).data(), StandardCharsets.UTF_8));
        }
        assertEquals(List.of("alice", "bob", "bob again", "alice later"), contents, "no write is lost");
    }

    private Map<String, String> tree() throws IOException {
        Map<String, String> out = new TreeMap<>();
        walk("/", out);
        return out;
    }

    private void walk(String d, Map<String, String> out) throws IOException {
        for (var e : ws.call(owner, new Op.ListDir(d)).entries()) {
            if (e.isDirectory()) {
                out.put(e.path() + "/", "");
                walk(e.path(), out);
            } else {
                out.put(e.path(), cat(e.path()));
            }
        }
    }

    @Test
    void undoAnAgentSinceATimeRestoresItsPathsKeepsOthersWorkAndReportsConflicts() throws Exception {
        put(owner, "/docs/a.txt", "a0");
        put(owner, "/docs/b.txt", "b0");
        put(owner, "/docs/c.txt", "c0");
        put(owner, "/docs/d.txt", "d0");
        put(alice, "/docs/early.txt", "before T"); // alice's change before T stays
        clock.advance(Duration.ofMinutes(1));
        Map<String, String> before = tree();
        long t = now();
        put(alice, "/docs/a.txt", "a1");
        put(alice, "/docs/a.txt", "a2");
        put(alice, "/new/n.txt", "new");
        ws.call(alice, new Op.Remove("/docs/b.txt", false));
        clock.advance(Duration.ofSeconds(1));
        ws.call(alice, new Op.Move("/docs/c.txt", "/docs/c-renamed.txt"));
        clock.advance(Duration.ofSeconds(1));
        put(alice, "/docs/d.txt", "d-alice");
        put(bob, "/docs/d.txt", "d-bob");            // bob after alice on d: conflict, d stays bob's
        put(bob, "/other/bob.txt", "bob's own");       // another file: kept
        put(bob, "/docs/early.txt", "bob edits early"); // a file alice did not touch since T: kept

        assertEquals(ErrorCode.ACCESS_DENIED, ErrorCode.of(assertThrows(Exception.class, () -> ws.call(bob, new Op.Undo("alice", t)))));
        RollbackResult r = ws.call(owner, new Op.Undo("alice", t));
        Map<String, String> expected = new TreeMap<>(before);
        expected.put("/docs/d.txt", "d-bob");
        expected.put("/other/", "");
        expected.put("/other/bob.txt", "bob's own");
        expected.put("/docs/early.txt", "bob edits early");
        // "/new" was made by alice's write (mkdir -p), so it goes too: exactly the state before
        Map<String, String> after = tree();
        assertEquals(expected, after, r.toString());
        assertEquals(List.of("/docs/d.txt"), r.changed().stream().filter(e -> e.action().equals("conflict")).map(RollbackResult.Entry::path).toList());
        // The undo is new versions: a's history has a0, a1, a2 and the rollback to a0.
        assertEquals(4, ws.call(owner, new Op.Log("/docs/a.txt")).versions().size());
        assertTrue(ws.call(owner, new Op.Status(true)).checkProblems().isEmpty());
    }
}
