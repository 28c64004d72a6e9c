package dev.semfs.versioning.internal;

import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.nio.file.Path;

public final class RocksWorkspaceStore {
    private RocksWorkspaceStore() {}

    public static WorkspaceStore open(Path dir, StoreOptions options) throws IOException {
        throw new UnsupportedOperationException("in progress");
    }
}
