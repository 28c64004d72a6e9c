package dev.semfs.cli.internal;

import dev.semfs.cli.WorkspaceOpener;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;

/**
 * Reaches a store the way a command should: through the daemon that holds it when one runs
 * (its socket answers), else by opening the store in this process.
 */
public final class DaemonOrLocalOpener implements WorkspaceOpener {
    public static final DaemonOrLocalOpener INSTANCE = new DaemonOrLocalOpener(StoreOptions.defaults());

    private final StoreOptions options;

    private DaemonOrLocalOpener(StoreOptions options) {
        this.options = options;
    }

    /** The same opener with another clock for stores opened here, for tests that move time. */
    static DaemonOrLocalOpener withClock(Clock clock) {
        return new DaemonOrLocalOpener(StoreOptions.defaults().withClock(clock));
    }

    @Override
    public Workspace open(Path store, boolean create) throws IOException {
        // Only `init` may create a store: a mistyped --store must not silently start an empty
        // workspace (and write a database into whatever directory it names).
        if (create) {
            Files.createDirectories(store);
        } else if (!isNonEmptyDirectory(store)) {
            throw new NoSuchFileException(store.toString(), null, "no semfs store here; create one with 'semfs init'");
        }
        if (Files.exists(Workspaces.socketOf(store))) {
            try {
                return Workspaces.connect(store);
            } catch (IOException staleSocket) {
                // the daemon is gone (killed without removing its socket): open the store here
            }
        }
        try {
            return Workspaces.open(store, options);
        } catch (dev.semfs.errors.SemfsException e) {
            // A daemon that was just unmounted may still be closing the store: give it a moment.
            if (e.code() != dev.semfs.errors.ErrorCode.CONFLICT || !awaitDaemonExit(store)) throw e;
            return Workspaces.open(store, options);
        }
    }

    /** Waits up to 15 s for the daemon named in the store's pid file to exit; false if none was running. */
    static boolean awaitDaemonExit(Path store) {
        try {
            long pid = Long.parseLong(Files.readAllLines(store.resolve("daemon.pid")).getFirst().strip());
            var proc = ProcessHandle.of(pid);
            if (proc.isEmpty() || !proc.get().isAlive()) return false;
            proc.get().onExit().get(15, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (Exception noDaemon) {
            return false;
        }
    }

    private static boolean isNonEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }
}
