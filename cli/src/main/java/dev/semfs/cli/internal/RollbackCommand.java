package dev.semfs.cli.internal;

import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.RollbackResult;
import java.io.IOException;
import java.time.Instant;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rollback", description = {
        "Roll a file (or a directory tree, by time) back; the rollback is a new version.",
        "",
        "History is never rewritten, so a rollback can be undone with another rollback."})
final class RollbackCommand extends WorkspaceCommand {

    @Parameters(paramLabel = "PATH")
    String path;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--to", paramLabel = "N", description = "To version N (see log).")
        Long version;

        @Option(names = "--back", paramLabel = "N", description = "N versions back from the newest.")
        Integer back;

        @Option(names = "--at", paramLabel = "TIME", description = {
                "As it was at TIME: ISO-8601 (2025-03-01T10:00:00Z, 2025-03-01)",
                "or '10 minutes ago', '2 hours ago', 'yesterday', 'last friday'."})
        Instant at;
    }

    @Override
    int run(Session s) throws IOException {
        Op.RollbackTarget t = target.version != null ? Op.RollbackTarget.toVersion(target.version)
                : target.back != null ? Op.RollbackTarget.back(target.back)
                : Op.RollbackTarget.at(target.at);
        RollbackResult r = s.call(new Op.Rollback(path, t));
        if (s.json()) s.printJson(r);
        else Changes.print(s, r);
        return SemfsCli.OK;
    }
}
