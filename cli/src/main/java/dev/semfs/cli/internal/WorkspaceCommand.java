package dev.semfs.cli.internal;

import dev.semfs.syscalls.Workspace;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A subcommand that acts on the workspace: it opens it through the run's one opener (so a
 * daemon client can stand in), builds its Op records, prints the results, and closes it.
 * Failures thrown out of {@link #run} are reported once, by {@link SemfsCommand#failure}.
 */
abstract class WorkspaceCommand implements Callable<Integer> {
    @ParentCommand
    SemfsCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws IOException {
        prepare();
        try (Workspace ws = root.env().opener().open(root.storeDir(), createsStore())) {
            return run(new Session(root, ws, spec.name()));
        }
    }

    /** Work done before the store is opened (reading stdin), so the store is held only briefly. */
    void prepare() throws IOException {}

    /** Only {@code init} creates a store. */
    boolean createsStore() {
        return false;
    }

    abstract int run(Session s) throws IOException;
}
