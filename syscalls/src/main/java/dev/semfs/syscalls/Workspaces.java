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

    /** Opens with an explicit semantic index setup (none, on demand, or continuous for a daemon). */
    public static Workspace open(Path storeDir, StoreOptions options, IndexSetup index) throws IOException {
        return LocalWorkspace.open(storeDir, options, index);
    }

    /**
     * A new, empty workspace that lives only in this process's memory, with no persistence and
     * no semantic index: for tests of the front ends and as the baseline of the mount benchmark.
     * Every version of every file stays in the heap until it is closed and dropped. Operations
     * a mount never makes (search, gc, agents, ...) throw UnsupportedOperationException.
     */
    public static Workspace inMemory() {
        return new InMemoryWorkspace();
    }

    /** The socket a daemon serving {@code storeDir} listens on. */
    public static Path socketOf(Path storeDir) {
        Path inStore = storeDir.toAbsolutePath().normalize().resolve("daemon.sock");
        if (inStore.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 100) return inStore;
        // Unix socket paths are limited to about 108 bytes: a long store path gets a short alias.
        String id = Integer.toHexString(inStore.toString().hashCode()) + Long.toHexString(inStore.toString().length());
        return Path.of(System.getProperty("java.io.tmpdir"), "semfs-" + id + ".sock");
    }

    /** Connects to the daemon that serves a store; fails if none runs. */
    public static Workspace connect(Path storeDir) throws IOException {
        return dev.semfs.syscalls.internal.RemoteWorkspace.connect(socketOf(storeDir));
    }

    /**
     * The workspace of {@code storeDir} as this process should use it: through the running
     * daemon if there is one (it holds the store), else opened here.
     */
    public static Workspace openOrConnect(Path storeDir) throws IOException {
        Path socket = socketOf(storeDir);
        if (java.nio.file.Files.exists(socket)) {
            try {
                return connect(storeDir);
            } catch (IOException staleSocket) {
                // no daemon behind it any more: fall through and open the store here
            }
        }
        return open(storeDir);
    }

    /** Serves {@code workspace} to local clients on the store's socket until closed. */
    public static java.io.Closeable serve(Workspace workspace, Path storeDir) throws IOException {
        return dev.semfs.syscalls.internal.SocketServer.start(workspace, socketOf(storeDir));
    }
}
