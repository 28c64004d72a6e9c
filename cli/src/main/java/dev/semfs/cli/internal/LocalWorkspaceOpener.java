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

/** Opens the store in this process (the only mechanism until the daemon's loopback client exists). */
public final class LocalWorkspaceOpener implements WorkspaceOpener {
    public static final LocalWorkspaceOpener INSTANCE = new LocalWorkspaceOpener(StoreOptions.defaults());

    private final StoreOptions options;

    private LocalWorkspaceOpener(StoreOptions options) {
        this.options = options;
    }

    /** The same opener with another clock, for tests that move time. */
    static LocalWorkspaceOpener withClock(Clock clock) {
        return new LocalWorkspaceOpener(StoreOptions.defaults().withClock(clock));
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
        return Workspaces.open(store, options);
    }

    private static boolean isNonEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }
}
