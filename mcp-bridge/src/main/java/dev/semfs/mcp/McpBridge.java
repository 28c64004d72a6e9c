package dev.semfs.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.Workspace;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The MCP server of a workspace: the core API's operations as tools, for one agent. A thin
 * adapter: every tool is one {@code Workspace.call} as that agent ({@link WorkspaceTools}).
 */
public final class McpBridge {
    static final String INSTRUCTIONS = "A semantic, versioned file system shared by agents. Paths are absolute (/notes/plan.md). "
            + "Every write is a version: history, diff and rollback undo mistakes, also of deleted files. "
            + "search finds files by meaning; summarize condenses files, folders, search hits or recent changes; "
            + "changes is the feed of who changed what.";

    private McpBridge() {}

    /**
     * Serves MCP over {@code in}/{@code out} (the process's stdin/stdout for `semfs mcp`) as
     * {@code agent}, until the client closes the stream; then returns. Nothing else may write
     * to {@code out}.
     */
    public static void serveStdio(Workspace ws, String agent, String version, InputStream in, OutputStream out) throws InterruptedException {
        Caller caller = Caller.of(agent, "mcp");
        StdioGuard guard = new StdioGuard(in, out);
        StdioServerTransportProvider transport = new StdioServerTransportProvider(new JacksonMcpJsonMapper(new ObjectMapper()), guard.in(), guard.out());
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("semfs", version)
                .instructions(INSTRUCTIONS)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(new WorkspaceTools(ws, () -> caller).all())
                .build();
        try {
            guard.awaitEnd();
        } finally {
            server.closeGracefully();
        }
    }
}
