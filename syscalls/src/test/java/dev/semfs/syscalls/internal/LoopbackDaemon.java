package dev.semfs.syscalls.internal;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/** A workspace served on its daemon socket, and a client of it: what a second `semfs` process sees. */
final class LoopbackDaemon implements Closeable {
    private final Workspace local;
    private final Closeable server;
    final Workspace client;

    LoopbackDaemon(Workspace local, Path storeDir) throws IOException {
        this.local = local;
        this.server = Workspaces.serve(local, storeDir);
        this.client = Workspaces.openOrConnect(storeDir);
        assertInstanceOf(RemoteWorkspace.class, client, "a running daemon must be used, not the store directly");
    }

    @Override
    public void close() throws IOException {
        client.close();
        server.close();
        local.close();
    }
}
