package dev.semfs.syscalls;

import dev.semfs.syscalls.internal.LocalWorkspace;
import dev.semfs.versioning.StoreOptions;
import java.io.IOException;
import java.nio.file.Path;

/** Opens workspaces. */
public final class Workspaces {
    private Workspaces() {}

    /**
     * Opens (creating if needed) the workspace whose store is {@code storeDir}, in this process.
     * Only one process may hold a store at a time; a second gets {@link dev.semfs.errors.ErrorCode#CONFLICT}.
     */
    public static Workspace open(Path storeDir) throws IOException {
        return open(storeDir, StoreOptions.defaults());
    }

    public static Workspace open(Path storeDir, StoreOptions options) throws IOException {
        return LocalWorkspace.open(storeDir, options);
    }
}
