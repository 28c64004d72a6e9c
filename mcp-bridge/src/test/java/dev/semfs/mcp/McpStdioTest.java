package dev.semfs.mcp;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.VersionInfo;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real MCP client (the SDK's) talking to the server in a child JVM over stdio, as an agent
 * with limited rights: the tools work, every change is a version by that agent, permissions
 * hold, and bad calls get a clear error while the session goes on.
 */
class McpStdioTest {
    @TempDir Path dir;
    private final ObjectMapper json = new ObjectMapper();

    private McpSyncClient client(String agent) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ServerParameters params = ServerParameters.builder(java)
                .args("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                        StdioServerMain.class.getName(), dir.toString(), agent)
                .build();
        McpSyncClient c = McpClient.sync(new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper())))
                .requestTimeout(Duration.ofSeconds(60)).build();
        c.initialize();
        return c;
    }

    private McpSchema.CallToolResult call(McpSyncClient c, String tool, Map<String, Object> args) {
        return c.callTool(new McpSchema.CallToolRequest(tool, args));
    }

    private JsonNode ok(McpSyncClient c, String tool, Map<String, Object> args) throws Exception {
        McpSchema.CallToolResult r = call(c, tool, args);
        String text = ((McpSchema.TextContent) r.content().getFirst()).text();
        assertNotEquals(Boolean.TRUE, r.isError(), tool + " " + args + ": " + text);
        return json.readTree(text);
    }

    private String error(McpSyncClient c, String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = call(c, tool, args);
        assertEquals(Boolean.TRUE, r.isError(), tool + " " + args + " should fail: " + r);
        return ((McpSchema.TextContent) r.content().getFirst()).text();
    }

    @Test
    @org.junit.jupiter.api.Timeout(180)
    void anAgentWorksThroughTheToolsWithinItsRights() throws Exception {
        try (Workspace ws = Workspaces.open(dir, StoreOptions.defaults(), IndexSetup.none())) {
            Caller owner = Caller.owner();
            ws.call(owner, new Op.AgentCreate("researcher"));
            ws.call(owner, new Op.Grant("researcher", "/", "read"));
            ws.call(owner, new Op.Grant("researcher", "/notes", "write"));
            ws.call(owner, new Op.Grant("researcher", "/hr", "none"));
            ws.call(owner, new Op.WriteFile("/hr/pay.txt", "Salaries are confidential.".getBytes(), false, true));
            ws.call(owner, new Op.WriteFile("/readme.txt", "Welcome to the shared workspace.".getBytes(), false, true));
        }
        McpSyncClient c = client("researcher");
        try {
            List<String> tools = c.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            assertTrue(tools.containsAll(List.of("read_file", "write_file", "edit_file", "delete", "move", "list_directory",
                    "search", "summarize", "history", "diff", "rollback", "snapshot", "restore", "changes")), tools.toString());

            ok(c, "write_file", Map.of("path", "/notes/plan.md", "content", "Plant tomatoes in May.\nWater them daily.\n"));
            ok(c, "edit_file", Map.of("path", "/notes/plan.md", "old_text", "daily", "new_text", "every morning"));
            JsonNode read = ok(c, "read_file", Map.of("path", "/notes/plan.md"));
            assertEquals("Plant tomatoes in May.\nWater them every morning.\n", read.get("content").asText());
            assertEquals(2, read.get("version").asLong());
            JsonNode history = ok(c, "history", Map.of("path", "/notes/plan.md"));
            assertEquals(2, history.get("versions").size());
            assertEquals("researcher", history.get("versions").get(1).get("agent").asText());
            JsonNode diff = ok(c, "diff", Map.of("path", "/notes/plan.md", "from", 1, "to", 2));
            assertTrue(diff.get("unified").asText().contains("+Water them every morning."), diff.toString());
            ok(c, "rollback", Map.of("path", "/notes/plan.md", "back", 1));
            assertEquals("Plant tomatoes in May.\nWater them daily.\n", ok(c, "read_file", Map.of("path", "/notes/plan.md")).get("content").asText());
            ok(c, "move", Map.of("from", "/notes/plan.md", "to", "/notes/garden.md"));
            assertEquals(List.of("garden.md"), names(ok(c, "list_directory", Map.of("path", "/notes"))));
            JsonNode summary = ok(c, "summarize", Map.of("paths", List.of("/")));
            assertFalse(summary.toString().contains("Salaries"), summary.toString());
            JsonNode feed = ok(c, "changes", Map.of());
            for (JsonNode e : feed.get("changes")) {
                assertFalse(e.get("path").asText().startsWith("/hr"), "the feed hides what the agent may not read: " + e);
            }

            // Rights hold, with the reason in the error, and the session goes on after each.
            assertTrue(error(c, "write_file", Map.of("path", "/readme.txt", "content", "x")).startsWith("ACCESS_DENIED"));
            assertTrue(error(c, "read_file", Map.of("path", "/hr/pay.txt")).startsWith("ACCESS_DENIED"));
            assertEquals("NOT_FOUND: /notes/missing.md: no such file or directory", error(c, "read_file", Map.of("path", "/notes/missing.md")));
            String missing = error(c, "read_file", Map.of());
            assertTrue(missing.contains("path"), missing);
            String mistyped = error(c, "read_file", Map.of("path", 42));
            assertTrue(mistyped.contains("path"), mistyped);
            String escape = error(c, "read_file", Map.of("path", "/../../etc/passwd"));
        assertTrue(escape.startsWith("INVALID_ARGUMENT"), escape);
            assertTrue(error(c, "edit_file", Map.of("path", "/notes/garden.md", "old_text", "nowhere", "new_text", "x")).contains("does not occur"));
            assertTrue(error(c, "rollback", Map.of("path", "/notes/garden.md", "at", "yesterday-ish")).contains("ISO-8601"));
            assertThrows(RuntimeException.class, () -> call(c, "no_such_tool", Map.of()));
            assertEquals("Welcome to the shared workspace.", ok(c, "read_file", Map.of("path", "/readme.txt")).get("content").asText());
        } finally {
            c.closeGracefully();
        }
        try (Workspace ws = Workspaces.open(dir, StoreOptions.defaults(), IndexSetup.none())) {
            List<VersionInfo> v = ws.call(Caller.owner(), new Op.Log("/notes/garden.md")).versions();
            assertTrue(v.stream().filter(x -> !x.kind().equals("moved")).allMatch(x -> x.agent().equals("researcher")), v.toString());
            assertEquals(List.of(), ws.call(Caller.owner(), new Op.Status(true)).checkProblems());
        }
    }

    private static List<String> names(JsonNode listing) {
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode e : listing.get("entries")) out.add(e.get("name").asText());
        return out;
    }
}
