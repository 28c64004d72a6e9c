package dev.semfs.cli.internal;

import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.SnapshotInfo;
import dev.semfs.syscalls.Snapshots;
import java.io.IOException;
import picocli.CommandLine.Command;

@Command(name = "snapshots", description = "List the workspace snapshots.")
final class SnapshotsCommand extends WorkspaceCommand {

    @Override
    int run(Session s) throws IOException {
        Snapshots all = s.call(new Op.ListSnapshots());
        if (s.json()) {
            s.printJson(all);
            return SemfsCli.OK;
        }
        s.out().printf("%5s  %-24s  %-19s  %8s  %s%n", "id", "name", "time", "entries", "agent");
        for (SnapshotInfo i : all.snapshots()) {
            s.out().printf("%5d  %-24s  %-19s  %8d  %s%n", i.id(), i.name() == null ? "" : i.name(),
                    Formats.time(i.time(), s.zone()), i.entries(), i.agent());
        }
        return SemfsCli.OK;
    }
}
