package dev.semfs.cli.internal;

import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.StatusInfo;
import java.io.IOException;
import picocli.CommandLine.Command;

@Command(name = "init", description = "Create the workspace store (see --store); harmless when it exists.")
final class InitCommand extends WorkspaceCommand {

    @Override
    boolean createsStore() {
        return true;
    }

    @Override
    int run(Session s) throws IOException {
        StatusInfo st = s.call(new Op.Status(false));
        if (s.json()) {
            s.printJson(st);
        } else {
            s.out().printf("semfs store ready at %s (%d files, %d versions)%n", s.store(), st.files(), st.versions());
        }
        return SemfsCli.OK;
    }
}
