package dev.semfs.syscalls.internal;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.Closeable;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The summary tests again, through a daemon's Unix socket. */
class RemoteSummariesTest extends SummariesTest {
    private dev.semfs.syscalls.Workspace local;
    private Closeable server;

    @BeforeEach
    @Override
    void open() throws IOException {
        local = Workspaces.open(dir, StoreOptions.defaults(), IndexSetup.none());
        server = Workspaces.serve(local, dir);
        ws = Workspaces.openOrConnect(dir);
        assertInstanceOf(RemoteWorkspace.class, ws);
    }

    @AfterEach
    @Override
    void close() throws IOException {
        ws.close();
        server.close();
        local.close();
    }
}
