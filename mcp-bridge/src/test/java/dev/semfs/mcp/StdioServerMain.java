package dev.semfs.mcp;

import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.nio.file.Path;

/** The MCP server of a workspace on stdin/stdout, in a child JVM: {@code STORE AGENT}. */
public final class StdioServerMain {
    public static void main(String[] args) throws Exception {
        try (Workspace ws = Workspaces.open(Path.of(args[0]), StoreOptions.defaults(), IndexSetup.none())) {
            McpBridge.serveStdio(ws, args[1], "test", System.in, System.out);
        }
    }
}
