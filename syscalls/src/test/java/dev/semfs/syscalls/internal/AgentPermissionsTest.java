package dev.semfs.syscalls.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.semfs.errors.ErrorCode;
import dev.semfs.syscalls.AgentInfo;
import dev.semfs.syscalls.AgentToken;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.ChangeList;
import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.Handle;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Path permissions enforced through the core API, for every family of operations. */
class AgentPermissionsTest {
    @TempDir Path dir;
    final LocalWorkspaceTest.ManualClock clock = new LocalWorkspaceTest.ManualClock();
    final Caller owner = Caller.owner();
    final Caller alice = Caller.of("alice", "mcp");
    final Caller bob = Caller.of("bob", "fuse");
    Workspace ws;

    @BeforeEach
    void open() throws IOException {
        ws = Workspaces.open(dir, StoreOptions.defaults().withAvgChunkSize(8192).withClock(clock));
        put(owner, "/pub/doc.txt", "public v1");
        put(owner, "/pub/doc.txt", "public v2");
        put(owner, "/secret/s.txt", "top secret v1");
        put(owner, "/team/bob/b.txt", "bob's");
        ws.call(owner, new Op.Mkdir("/team/alice", true, 0));
        ws.call(owner, new Op.Symlink("/pub/link", "/secret/s.txt"));
        ws.call(owner, new Op.Symlink("/pub/secretdir", "../secret"));
        ws.call(owner, new Op.Snapshot("s1"));
        put(owner, "/secret/s.txt", "top secret v2");
        ws.call(owner, new Op.AgentCreate("alice"));
        ws.call(owner, new Op.AgentCreate("bob"));
        ws.call(owner, new Op.Grant("alice", "/pub", "read"));
        ws.call(owner, new Op.Grant("alice", "/team/alice", "write"));
        ws.call(owner, new Op.Grant("bob", "/team/bob", "write"));
        clock.advance(Duration.ofMinutes(1));
    }

    @AfterEach
    void close() throws IOException {
        ws.close();
    }

    private void put(Caller c, String path, String text) throws IOException {
        ws.call(c, new Op.WriteFile(path, text.getBytes(StandardCharsets.UTF_8), false, true));
        clock.advance(Duration.ofSeconds(1));
    }

    private String cat(Caller c, String path) throws IOException {
        return new String(ws.call(c, new Op.ReadFile(path, 0, -1)).data(), StandardCharsets.UTF_8);
    }

    private void denied(LocalWorkspaceTest.Executable e) {
        try {
            e.run();
        } catch (Exception ex) {
            assertEquals(ErrorCode.ACCESS_DENIED, ErrorCode.of(ex), () -> "expected ACCESS_DENIED, got " + ex);
            return;
        }
        fail("expected ACCESS_DENIED");
    }

    private List<String> names(List<FileInfo> entries) {
        return entries.stream().map(FileInfo::name).toList();
    }

    @Test
    void unknownAgentsAreRefusedWithAClearMessage() {
        AccessDeniedException e = assertThrows(AccessDeniedException.class,
                () -> ws.call(Caller.of("mallory", "mcp"), new Op.Stat("/", false)));
        assertTrue(e.getMessage().contains("unknown agent 'mallory'"), e.getMessage());
        denied(() -> ws.call(Caller.of("mallory", "mcp"), new Op.Changes(0, 10, null)));
    }

    @Test
    void filesAndDirectories() throws Exception {
        assertEquals("public v2", cat(alice, "/pub/doc.txt"));
        denied(() -> cat(alice, "/secret/s.txt"));
        denied(() -> cat(bob, "/pub/doc.txt"));
        denied(() -> ws.call(alice, new Op.Stat("/secret/s.txt", false)));
        denied(() -> ws.call(alice, new Op.ListDir("/secret")));
        denied(() -> ws.call(alice, new Op.ListXattrs("/secret/s.txt")));
        denied(() -> ws.call(alice, new Op.GetXattr("/secret/s.txt", "user.x")));
        // Directories on the way to something readable can be listed; unreadable entries are left out.
        assertEquals(List.of("pub", "team"), names(ws.call(alice, new Op.ListDir("/")).entries()));
        assertEquals(List.of("alice"), names(ws.call(alice, new Op.ListDir("/team")).entries()));
        assertEquals(List.of("bob"), names(ws.call(bob, new Op.ListDir("/team")).entries()));
        assertTrue(ws.call(alice, new Op.Stat("/team", false)).isDirectory());
        // Writing needs write.
        denied(() -> put(alice, "/pub/new.txt", "x"));
        denied(() -> put(alice, "/pub/doc.txt", "x"));
        denied(() -> ws.call(alice, new Op.Truncate("/pub/doc.txt", 0)));
        denied(() -> ws.call(alice, new Op.SetAttr("/pub/doc.txt", 0600, null, null, null, null, true)));
        denied(() -> ws.call(alice, new Op.SetXattr("/pub/doc.txt", "user.x", new byte[1], 0)));
        denied(() -> ws.call(alice, new Op.Remove("/pub/doc.txt", false)));
        denied(() -> ws.call(alice, new Op.Mkdir("/secret/d", false, 0)));
        denied(() -> ws.call(alice, new Op.Symlink("/pub/l2", "/team")));
        put(alice, "/team/alice/a.txt", "alice's");
        ws.call(alice, new Op.SetXattr("/team/alice/a.txt", "user.tag", "t".getBytes(), 0));
        ws.call(alice, new Op.Move("/team/alice/a.txt", "/team/alice/b.txt"));
        assertEquals("alice's", cat(alice, "/team/alice/b.txt"));
        // Rename across a permission boundary needs write on both sides.
        denied(() -> ws.call(alice, new Op.Move("/team/alice/b.txt", "/pub/b.txt")));
        denied(() -> ws.call(alice, new Op.Move("/pub/doc.txt", "/team/alice/doc.txt")));
        denied(() -> ws.call(alice, new Op.Move("/team/alice/b.txt", "/team/bob/b.txt")));
        denied(() -> ws.call(bob, new Op.Move("/team/bob", "/team/alice/stolen")));
        assertEquals("bob's", cat(owner, "/team/bob/b.txt"));
        assertEquals("alice's", cat(owner, "/team/alice/b.txt"));
        // A hard link shares content, so it needs write on the source too.
        denied(() -> ws.call(alice, new Op.Link("/pub/doc.txt", "/team/alice/doc.txt")));
        // Open: read for reading, write for writing; a handle is its opener's.
        denied(() -> ws.call(alice, new Op.Open("/secret/s.txt", false, false, false, false, 0)));
        denied(() -> ws.call(alice, new Op.Open("/pub/doc.txt", true, false, false, false, 0)));
        Handle h = ws.call(alice, new Op.Open("/team/alice/b.txt", true, false, false, false, 0));
        denied(() -> ws.call(bob, new Op.HandleRead(h.id(), 0, 10)));
        denied(() -> ws.call(bob, new Op.HandleWrite(h.id(), 0, "x".getBytes())));
        denied(() -> ws.call(bob, new Op.Release(h.id())));
        ws.call(alice, new Op.HandleWrite(h.id(), 0, "A".getBytes()));
        ws.call(alice, new Op.Release(h.id()));
        assertEquals("Alice's", cat(owner, "/team/alice/b.txt"));
        assertEquals(ErrorCode.BAD_HANDLE, ErrorCode.of(assertThrows(Exception.class, () -> ws.call(alice, new Op.HandleStat(h.id())))));
    }

    @Test
    void symlinksAreCheckedWhereTheyLead() throws Exception {
        assertEquals("/secret/s.txt", ws.call(alice, new Op.ReadLink("/pub/link")).target(), "the link itself is readable");
        denied(() -> cat(alice, "/pub/link"));
        denied(() -> cat(alice, "/pub/secretdir/s.txt"));
        denied(() -> ws.call(alice, new Op.ListDir("/pub/secretdir")));
        denied(() -> ws.call(alice, new Op.Stat("/pub/link", true)));
        assertTrue(ws.call(alice, new Op.Stat("/pub/link", false)).isSymlink());
        // Alice may make links in her area, but not reach through them.
        ws.call(alice, new Op.Symlink("/team/alice/out", "/secret"));
        denied(() -> cat(alice, "/team/alice/out/s.txt"));
        denied(() -> put(alice, "/team/alice/out/s.txt", "overwritten"));
        denied(() -> ws.call(alice, new Op.Diff("/team/alice/out/s.txt", null, null)));
        assertEquals("top secret v2", cat(owner, "/secret/s.txt"));
        // ... and a link into her area from a readable place works for reading.
        ws.call(owner, new Op.Symlink("/pub/toalice", "/team/alice"));
        put(alice, "/team/alice/f", "mine");
        assertEquals("mine", cat(alice, "/pub/toalice/f"));
        denied(() -> put(alice, "/pub/toalice/f", "via the read-only name"));
    }

    @Test
    void versionsDiffsRollbackAndSnapshots() throws Exception {
        assertEquals(2, ws.call(alice, new Op.Log("/pub/doc.txt")).versions().size());
        assertEquals("public v1", new String(ws.call(alice, new Op.ReadVersion("/pub/doc.txt", 1, 0, -1)).data(), StandardCharsets.UTF_8));
        assertEquals(1, ws.call(alice, new Op.Diff("/pub/doc.txt", 1L, 2L)).added());
        denied(() -> ws.call(alice, new Op.Log("/secret/s.txt")));
        denied(() -> ws.call(alice, new Op.ReadVersion("/secret/s.txt", 1, 0, -1)));
        denied(() -> ws.call(alice, new Op.Diff("/secret/s.txt", 1L, 2L)));
        denied(() -> ws.call(alice, new Op.Rollback("/pub/doc.txt", Op.RollbackTarget.toVersion(1))));
        denied(() -> ws.call(alice, new Op.Rollback("/secret/s.txt", Op.RollbackTarget.toVersion(1))));
        // Snapshots: listing the snapshots is fine, their content follows the path rules.
        assertEquals(1, ws.call(alice, new Op.ListSnapshots()).snapshots().size());
        assertEquals(List.of("pub", "team"), names(ws.call(alice, new Op.SnapshotDir("s1", "/")).entries()));
        assertEquals(List.of("doc.txt", "link", "secretdir"), names(ws.call(alice, new Op.SnapshotDir("s1", "/pub")).entries()));
        assertEquals("public v2", new String(ws.call(alice, new Op.SnapshotRead("s1", "/pub/doc.txt", 0, -1)).data(), StandardCharsets.UTF_8));
        denied(() -> ws.call(alice, new Op.SnapshotRead("s1", "/secret/s.txt", 0, -1)));
        denied(() -> ws.call(alice, new Op.SnapshotDir("s1", "/secret")));
        denied(() -> ws.call(alice, new Op.Restore("s1", "/pub")));
        denied(() -> ws.call(alice, new Op.Restore("s1", null)));
        // Workspace-wide operations need admin.
        denied(() -> ws.call(alice, new Op.Snapshot("mine")));
        denied(() -> ws.call(alice, new Op.Status(false)));
        denied(() -> ws.call(alice, new Op.Gc("all")));
        ws.call(owner, new Op.SetAdmin("alice", true));
        ws.call(alice, new Op.Snapshot("mine"));
        assertNotNull(ws.call(alice, new Op.Status(false)));
        // Write access to a whole tree allows restore and rollback there.
        put(alice, "/team/alice/x", "1");
        put(alice, "/team/alice/x", "2");
        ws.call(alice, new Op.Rollback("/team/alice/x", Op.RollbackTarget.toVersion(1)));
        assertEquals("1", cat(alice, "/team/alice/x"));
        ws.call(alice, new Op.Restore("s1", "/team/alice"));
        assertEquals(ErrorCode.NOT_FOUND, ErrorCode.of(assertThrows(Exception.class, () -> cat(alice, "/team/alice/x"))));
    }

    @Test
    void treeOperationsNeedWriteOnEverythingBelow() throws Exception {
        ws.call(owner, new Op.AgentCreate("carol"));
        ws.call(owner, new Op.Grant("carol", "/", "write"));
        ws.call(owner, new Op.Grant("carol", "/team/bob", "read"));
        ws.call(owner, new Op.Grant("carol", "/secret", "none"));
        denied(() -> ws.call(Caller.of("carol", "api"), new Op.Remove("/team", true)));
        denied(() -> ws.call(Caller.of("carol", "api"), new Op.Move("/team", "/t2")));
        denied(() -> ws.call(Caller.of("carol", "api"), new Op.Move("/pub", "/secret/pub")));
        denied(() -> ws.call(Caller.of("carol", "api"), new Op.Rollback("/", Op.RollbackTarget.at(clock.instant()))));
        ws.call(Caller.of("carol", "api"), new Op.Move("/pub", "/pub2"));
        ws.call(Caller.of("carol", "api"), new Op.Remove("/team/alice", true));
        assertEquals(List.of("pub2", "team"), names(ws.call(Caller.of("carol", "api"), new Op.ListDir("/")).entries()));
        assertEquals("bob's", cat(owner, "/team/bob/b.txt"));
    }

    @Test
    void changeFeedAndAuditLeaveOutWhatTheAgentMayNotRead() throws Exception {
        put(owner, "/secret/s.txt", "v3");
        ws.call(owner, new Op.Move("/secret/s.txt", "/pub/leaked-name.txt"));
        ws.call(owner, new Op.Move("/pub/leaked-name.txt", "/secret/s.txt"));
        put(alice, "/team/alice/a", "a");
        ChangeList all = ws.call(owner, new Op.Changes(0, 1000, null));
        assertTrue(all.changes().stream().anyMatch(c -> c.path().startsWith("/secret")));
        for (ChangeList list : List.of(ws.call(alice, new Op.Changes(0, 1000, null)),
                ws.call(alice, new Op.Audit(null, null, null, null, 0, 1000)))) {
            assertFalse(list.changes().isEmpty());
            for (ChangeList.ChangeEntry c : list.changes()) {
                assertTrue(c.path().equals("/pub") || c.path().startsWith("/pub/") || c.path().startsWith("/team/alice"), c.toString());
                assertTrue(c.toPath() == null || !c.toPath().startsWith("/secret"), c.toString());
            }
            assertEquals(all.next(), list.next(), "paging goes on past what was left out");
            assertTrue(list.changes().stream().noneMatch(c -> c.path().contains("leaked")), "a rename from or to an unreadable path is left out");
        }
        assertEquals(all.changes().size(), ws.call(owner, new Op.Audit(null, null, null, null, 0, 1000)).changes().size());
    }

    @Test
    void agentManagementIsTheOwnersAndChangesTakeEffectAtOnce() throws Exception {
        denied(() -> ws.call(alice, new Op.AgentCreate("eve")));
        denied(() -> ws.call(alice, new Op.Grant("alice", "/", "write")));
        denied(() -> ws.call(alice, new Op.SetAdmin("alice", true)));
        denied(() -> ws.call(alice, new Op.AgentRemove("bob")));
        denied(() -> ws.call(alice, new Op.AgentNewToken("alice")));
        assertEquals(List.of("alice"), ws.call(alice, new Op.AgentList()).agents().stream().map(AgentInfo::name).toList());
        List<AgentInfo> everyone = ws.call(owner, new Op.AgentList()).agents();
        assertEquals(List.of("owner", "alice", "bob"), everyone.stream().map(AgentInfo::name).toList());
        assertEquals(List.of(new AgentInfo.Rule("/pub", "read"), new AgentInfo.Rule("/team/alice", "write")), everyone.get(1).rules());
        denied(() -> cat(alice, "/secret/s.txt"));
        ws.call(owner, new Op.Grant("alice", "/secret", "read"));
        assertEquals("top secret v2", cat(alice, "/secret/s.txt"));
        ws.call(owner, new Op.Revoke("alice", "/secret"));
        denied(() -> cat(alice, "/secret/s.txt"));
        assertEquals(ErrorCode.NOT_FOUND, ErrorCode.of(assertThrows(Exception.class, () -> ws.call(owner, new Op.Revoke("alice", "/secret")))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, ErrorCode.of(assertThrows(Exception.class, () -> ws.call(owner, new Op.Grant("alice", "/x", "execute")))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, ErrorCode.of(assertThrows(Exception.class, () -> ws.call(owner, new Op.AgentCreate("bad/name")))));
        // Tokens: for network front ends; the answer names the agent.
        AgentToken t = ws.call(owner, new Op.AgentCreate("dave"));
        assertEquals("dave", ws.call(Caller.of("not-yet-known", "mcp"), new Op.Authenticate(t.token())).name());
        denied(() -> ws.call(owner, new Op.Authenticate(t.token() + "x")));
        assertFalse(t.toString().contains(t.token()), "a token is not printed by accident");
        ws.call(owner, new Op.AgentRemove("dave"));
        denied(() -> ws.call(Caller.of("dave", "mcp"), new Op.Stat("/", false)));
        denied(() -> ws.call(owner, new Op.Authenticate(t.token())));
        denied(() -> ws.call(owner, new Op.AgentRemove("owner")));
    }

    @Test
    void agentsAndRulesSurviveReopen() throws Exception {
        ws.close();
        ws = Workspaces.open(dir, StoreOptions.defaults().withAvgChunkSize(8192).withClock(clock));
        assertEquals("public v2", cat(alice, "/pub/doc.txt"));
        denied(() -> cat(alice, "/secret/s.txt"));
        denied(() -> ws.call(Caller.of("mallory", "api"), new Op.Stat("/", false)));
    }
}
