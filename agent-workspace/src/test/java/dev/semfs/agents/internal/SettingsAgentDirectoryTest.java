package dev.semfs.agents.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.semfs.agents.Agent;
import dev.semfs.agents.AgentDirectory;
import dev.semfs.agents.Right;
import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.WorkspaceStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsAgentDirectoryTest {
    @TempDir Path dir;
    final FakeClock clock = new FakeClock();

    private WorkspaceStore open() throws Exception {
        return WorkspaceStore.open(dir, StoreOptions.defaults().withClock(clock));
    }

    @Test
    void agentsAndRulesSurviveReopenAndOnlyASaltedHashOfTheTokenIsStored() throws Exception {
        String token;
        try (WorkspaceStore s = open()) {
            AgentDirectory d = AgentDirectory.open(s, clock);
            token = d.create("alice");
            d.grant("alice", "/pub", Right.READ);
            d.grant("alice", "/pub/mine", Right.WRITE);
            d.setAdmin("alice", true);
            d.create("bob");
            for (Map.Entry<String, byte[]> e : s.settings("").entrySet()) {
                String asText = new String(e.getValue(), StandardCharsets.ISO_8859_1);
                assertFalse(asText.contains(token.substring(6)), "token stored in clear under " + e.getKey());
            }
            byte[] raw = s.getSetting("agents/alice").orElseThrow();
            assertEquals(SettingsAgentDirectory.FORMAT, ByteBuffer.wrap(raw).getInt(), "format version leads the value");
        }
        try (WorkspaceStore s = open()) {
            AgentDirectory d = AgentDirectory.open(s, clock);
            assertEquals(List.of("owner", "alice", "bob"), d.list().stream().map(Agent::name).toList());
            Agent alice = d.get("alice").orElseThrow();
            assertTrue(alice.admin());
            assertEquals(Map.of("/pub", Right.READ, "/pub/mine", Right.WRITE), alice.rules());
            assertEquals(clock.nanos(), alice.createdNanos());
            assertEquals("alice", d.authenticate(token).orElseThrow());
            assertTrue(d.authenticate(token + "x").isEmpty());
            assertTrue(d.authenticate("").isEmpty());
            String fresh = d.newToken("alice");
            assertTrue(d.authenticate(token).isEmpty(), "the old token stops working");
            assertEquals("alice", d.authenticate(fresh).orElseThrow());
            d.remove("bob");
            assertFalse(d.exists("bob"));
            assertThrows(NoSuchFileException.class, () -> d.remove("bob"));
        }
        try (WorkspaceStore s = open()) {
            assertFalse(AgentDirectory.open(s, clock).exists("bob"), "removal is durable");
        }
    }

    @Test
    void theMostSpecificRuleWinsAndAgentsWithoutRulesHaveNone() throws Exception {
        try (WorkspaceStore s = open()) {
            AgentDirectory d = AgentDirectory.open(s, clock);
            d.create("a");
            assertEquals(Right.NONE, d.right("a", "/x"), "a new agent sees nothing");
            assertEquals(Right.NONE, d.right("nobody", "/x"));
            d.grant("a", "/", Right.READ);
            d.grant("a", "/w", Right.WRITE);
            d.grant("a", "/w/secret", Right.NONE);
            assertEquals(Right.READ, d.right("a", "/x/y"));
            assertEquals(Right.WRITE, d.right("a", "/w"));
            assertEquals(Right.WRITE, d.right("a", "/w/f"));
            assertEquals(Right.WRITE, d.right("a", "/w/secretive"), "a prefix is a path, not a string prefix");
            assertEquals(Right.NONE, d.right("a", "/w/secret"));
            assertEquals(Right.NONE, d.right("a", "/w/secret/deep/er"));
            assertFalse(d.canWriteTree("a", "/w"), "a narrower rule takes write away below /w");
            assertTrue(d.canWriteTree("a", "/w/other"));
            assertFalse(d.canWriteTree("a", "/x"));
            assertFalse(d.unrestricted("a"));
            assertTrue(d.revoke("a", "/w/secret"));
            assertFalse(d.revoke("a", "/w/secret"));
            assertTrue(d.canWriteTree("a", "/w"));
            d.grant("a", "/", Right.WRITE);
            d.grant("a", "/w", Right.WRITE);
            assertTrue(d.unrestricted("a"));
            assertEquals(Right.WRITE, d.right("owner", "/anything"));
            assertTrue(d.unrestricted("owner"));
            assertTrue(d.isAdmin("owner"));
            assertFalse(d.isAdmin("a"));
        }
    }

    @Test
    void aDirectoryLeadingToAReadablePathIsTraversableButNotReadable() throws Exception {
        try (WorkspaceStore s = open()) {
            AgentDirectory d = AgentDirectory.open(s, clock);
            d.create("a");
            d.grant("a", "/team/a", Right.WRITE);
            d.grant("a", "/team/b/hidden", Right.NONE);
            assertTrue(d.leadsToReadable("a", "/"));
            assertTrue(d.leadsToReadable("a", "/team"));
            assertFalse(d.leadsToReadable("a", "/team/b"), "a NONE rule below leads nowhere");
            assertFalse(d.leadsToReadable("a", "/other"));
            assertEquals(Right.NONE, d.right("a", "/team"));
        }
    }

    @Test
    void theOwnerIsBuiltInAndCannotBeRemovedOrRestricted() throws Exception {
        try (WorkspaceStore s = open()) {
            AgentDirectory d = AgentDirectory.open(s, clock);
            assertTrue(d.exists("owner"));
            assertFalse(d.get("owner").orElseThrow().hasToken());
            assertThrows(FileAlreadyExistsException.class, () -> d.create("owner"));
            assertThrows(AccessDeniedException.class, () -> d.remove("owner"));
            assertThrows(AccessDeniedException.class, () -> d.grant("owner", "/", Right.NONE));
            String t = d.newToken("owner");
            assertEquals("owner", d.authenticate(t).orElseThrow());
            assertTrue(d.get("owner").orElseThrow().hasToken());
            d.create("x");
            assertThrows(FileAlreadyExistsException.class, () -> d.create("x"));
            for (String bad : new String[] {"", "a/b", ".hidden", "x".repeat(65), "a b"}) {
                assertThrows(IllegalArgumentException.class, () -> d.create(bad), bad);
            }
            assertThrows(IllegalArgumentException.class, () -> d.grant("x", "rel", Right.READ));
            assertThrows(IllegalArgumentException.class, () -> d.grant("x", "/a/", Right.READ));
            assertThrows(NoSuchFileException.class, () -> d.grant("ghost", "/a", Right.READ));
        }
    }
}
