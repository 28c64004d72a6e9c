package dev.semfs.cli.internal;

import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.RollbackResult;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "restore", description = {
        "Restore the workspace, or only PATH, to a snapshot (by number or name).",
        "Every change is a new version, so a restore can be undone."})
final class RestoreCommand extends WorkspaceCommand {

    @Parameters(index = "0", paramLabel = "SNAPSHOT")
    String snapshot;

    @Parameters(index = "1", paramLabel = "PATH", arity = "0..1")
    String path;

    @Override
    int run(Session s) throws IOException {
        RollbackResult r = s.call(new Op.Restore(snapshot, path));
        if (s.json()) s.printJson(r);
        else Changes.print(s, r);
        return SemfsCli.OK;
    }
}
