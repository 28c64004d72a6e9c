package dev.semfs.cli.internal;

import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.SnapshotInfo;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "snapshot", description = "Record the whole workspace as it is now (metadata only; content is shared).")
final class SnapshotCommand extends WorkspaceCommand {

    @Parameters(paramLabel = "NAME", arity = "0..1", description = "Optional name; the snapshot always has a number too.")
    String name;

    @Override
    int run(Session s) throws IOException {
        SnapshotInfo info = s.call(new Op.Snapshot(name));
        if (s.json()) {
            s.printJson(info);
        } else {
            s.out().printf("snapshot %d%s: %d entries%n", info.id(),
                    info.name() == null || info.name().isEmpty() ? "" : " '" + info.name() + "'", info.entries());
        }
        return SemfsCli.OK;
    }
}
