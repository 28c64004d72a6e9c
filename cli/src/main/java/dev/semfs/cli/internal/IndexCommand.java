package dev.semfs.cli.internal;

import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.ReindexResult;
import dev.semfs.syscalls.StatusInfo;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "index", description = "The semantic index: its state, or a rebuild from the store.")
final class IndexCommand extends WorkspaceCommand {

    @Option(names = "--rebuild", description = "Index every file again at its newest version.")
    boolean rebuild;

    @Override
    int run(Session s) throws IOException {
        if (rebuild) {
            s.env().err().println("semfs: index: rebuilding (the model loads first; this can take a while)...");
            ReindexResult r = s.call(new Op.Reindex());
            if (s.json()) s.printJson(r);
            else s.out().printf("indexed %d files in %.1f s with %s%n", r.files(), r.millis() / 1000.0, r.model());
            return SemfsCli.OK;
        }
        StatusInfo st = s.call(new Op.Status(false));
        if (s.json()) {
            s.printJson(java.util.Map.of("indexLag", st.indexLag(), "model", st.model()));
        } else {
            s.out().printf("index lag  %s%nmodel      %s%n", st.indexLag() < 0 ? "not loaded (no running mount)" : st.indexLag() + " changes",
                    st.model());
        }
        return SemfsCli.OK;
    }
}
