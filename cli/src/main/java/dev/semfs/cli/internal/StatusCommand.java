package dev.semfs.cli.internal;

import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.StatusInfo;
import java.io.IOException;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", description = "Files, versions, store size, index lag and model of the workspace.")
final class StatusCommand extends WorkspaceCommand {

    @Option(names = "--check", description = "Also run the full store consistency check; exit 1 if it finds problems.")
    boolean check;

    @Override
    int run(Session s) throws IOException {
        StatusInfo st = s.call(new Op.Status(check));
        boolean problems = st.checkProblems() != null && !st.checkProblems().isEmpty();
        if (s.json()) {
            s.printJson(st);
        } else {
            PrintStream o = s.out();
            o.printf("store      %s%n", st.store() != null ? st.store() : s.store());
            o.printf("files      %d (%d directories, %d symlinks)%n", st.files(), st.directories(), st.symlinks());
            o.printf("versions   %d%n", st.versions());
            o.printf("content    %s in %d chunks, %s on disk%n", Formats.bytes(st.chunkBytes()), st.chunks(),
                    Formats.bytes(st.diskBytes()));
            o.printf("snapshots  %d%n", st.snapshots());
            o.printf("index lag  %s%n", st.indexLag() < 0 ? "no index" : st.indexLag() + " changes");
            o.printf("model      %s%n", st.model() == null || st.model().isBlank() ? "none" : st.model());
            if (st.checkProblems() != null) {
                o.printf("check      %s%n", problems ? count(st.checkProblems().size()) : "ok");
                if (problems) st.checkProblems().forEach(p -> o.println("  " + p));
            }
        }
        if (problems) {
            s.env().err().printf("semfs: status: the store check found %s%n", count(st.checkProblems().size()));
            return SemfsCli.FAILED;
        }
        return SemfsCli.OK;
    }

    private static String count(int problems) {
        return problems == 1 ? "1 problem" : problems + " problems";
    }
}
