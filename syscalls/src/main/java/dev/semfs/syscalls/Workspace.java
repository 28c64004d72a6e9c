package dev.semfs.syscalls;

import java.io.Closeable;
import java.io.IOException;

/**
 * The one core API of a semfs workspace. Every front end (mount, command line, MCP, the
 * loopback client of a running daemon) goes through {@link #call}; nothing else touches the
 * store or the index.
 *
 * <p>Thread-safe. Errors are java.nio.file exceptions where one fits and
 * {@link dev.semfs.errors.SemfsException} otherwise; {@link dev.semfs.errors.ErrorCode#of}
 * classifies them all.
 */
public interface Workspace extends Closeable {

    /** Performs {@code op} as {@code caller}. */
    <R> R call(Caller caller, Op<R> op) throws IOException;

    /**
     * Registers {@code listener} for changes made through this workspace in this process;
     * running the returned action removes it. A workspace that does not make the changes itself
     * (the client of a daemon) never calls it.
     */
    default Runnable onChange(ChangeListener listener) {
        return () -> {};
    }
}
