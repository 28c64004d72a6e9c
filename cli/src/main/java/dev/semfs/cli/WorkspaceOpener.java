package dev.semfs.cli;

import dev.semfs.syscalls.Workspace;
import java.io.IOException;
import java.nio.file.Path;

/**
 * How the command line obtains the workspace it acts on. Every subcommand goes through the one
 * opener the command was started with, so that a client of a running daemon (the mount process
 * owns the store while it runs) can replace the in-process store without touching a command.
 *
 * <p>Implementations are thread-safe; each {@link #open} returns a workspace the caller closes.
 */
public interface WorkspaceOpener {

    /**
     * Opens the workspace stored in {@code store}.
     *
     * @param create when false, a missing store is an error ({@link java.nio.file.NoSuchFileException}
     *               naming {@code store}); when true (only {@code semfs init}), it is created
     * @throws IOException when the store cannot be opened (missing, locked by another process, damaged)
     */
    Workspace open(Path store, boolean create) throws IOException;

    /** The opener of the shipped command: through the running daemon of the store if there is one, else in this process. */
    static WorkspaceOpener standard() {
        return dev.semfs.cli.internal.DaemonOrLocalOpener.INSTANCE;
    }
}
