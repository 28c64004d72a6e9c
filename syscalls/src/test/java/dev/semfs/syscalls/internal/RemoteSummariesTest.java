package dev.semfs.syscalls.internal;

import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The summary tests again, through a daemon's Unix socket. */
class RemoteSummariesTest extends SummariesTest {
    private LoopbackDaemon daemon;

    @BeforeEach
    @Override
    void open() throws IOException {
        daemon = new LoopbackDaemon(Workspaces.open(dir, StoreOptions.defaults(), IndexSetup.none()), dir);
        ws = daemon.client;
    }

    @AfterEach
    @Override
    void close() throws IOException {
        daemon.close();
    }
}
