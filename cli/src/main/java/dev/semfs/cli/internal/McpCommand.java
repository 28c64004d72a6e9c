package dev.semfs.cli.internal;

import dev.semfs.mcp.McpBridge;
import dev.semfs.syscalls.Workspaces;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;

@Command(name = "mcp", description = {"Serve the workspace as MCP tools over stdin/stdout, acting as --agent.",
        "An MCP client starts it: {\"command\": \"semfs\", \"args\": [\"--agent\", \"researcher\", \"mcp\"]}.",
        "Goes through a running mount's daemon; without one, serves other semfs commands while it runs."})
final class McpCommand extends WorkspaceCommand {

    @Override
    int run(Session s) throws IOException {
        Path store = root.storeDir();
        Closeable daemonSocket = null;
        if (!Files.exists(Workspaces.socketOf(store))) {
            // The store is open in this process: let other semfs commands reach it through us.
            daemonSocket = Workspaces.serve(s.workspace(), store);
        }
        String version;
        try {
            version = new SemfsCommand.Version().getVersion()[0].replaceFirst("^semfs ", "");
        } catch (Exception e) {
            version = "unknown";
        }
        try {
            McpBridge.serveStdio(s.workspace(), root.agent, version, s.env().in(), s.env().out());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (daemonSocket != null) daemonSocket.close();
        }
        return SemfsCli.OK;
    }
}
