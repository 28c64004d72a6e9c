package dev.semfs.cli.internal;

import dev.semfs.mcp.McpBridge;
import dev.semfs.syscalls.Workspaces;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;

@Command(name = "mcp", description = {"Serve the workspace to an MCP client over stdin/stdout, as --agent.",
        "The client starts it, e.g. {\"command\": \"semfs\", \"args\": [\"--agent\", \"researcher\", \"mcp\"]}.",
        "With a mount running it goes through that daemon; otherwise it holds the store and serves other",
        "semfs commands itself while it runs."})
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
