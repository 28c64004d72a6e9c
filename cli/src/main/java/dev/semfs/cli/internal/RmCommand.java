package dev.semfs.cli.internal;

import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Removed;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rm", description = "Remove files, symlinks or (with -r) directories. History is kept: see log and rollback.")
final class RmCommand extends WorkspaceCommand {

    @Option(names = {"-r", "-R", "--recursive"}, description = "Remove directories and their contents.")
    boolean recursive;

    @Parameters(paramLabel = "PATH", arity = "1..*")
    List<String> paths;

    @Override
    int run(Session s) throws IOException {
        int status = SemfsCli.OK;
        List<Removed> removed = new ArrayList<>();
        for (String p : paths) {
            try {
                removed.add(s.call(new Op.Remove(p, recursive)));
            } catch (IOException | RuntimeException e) {
                status = Math.max(status, s.fail(e));
            }
        }
        if (s.json()) s.printJson(Json.object("removed", removed, "errors", s.errors()));
        return status;
    }
}
