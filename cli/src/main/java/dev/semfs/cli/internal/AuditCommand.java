package dev.semfs.cli.internal;

import dev.semfs.syscalls.ChangeList;
import dev.semfs.syscalls.Op;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "audit", description = "Who changed what, when: the audit trail, oldest first.")
final class AuditCommand extends WorkspaceCommand {

    @Parameters(paramLabel = "PATH", arity = "0..1", description = "Only changes at or below this path.")
    String path;

    @Option(names = "--by", paramLabel = "AGENT", description = "Only changes made by this agent.")
    String by;

    @Option(names = "--since", paramLabel = "TIME", description = "Only changes at or after TIME.")
    Instant since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only changes at or before TIME.")
    Instant until;

    @Option(names = "-n", paramLabel = "N", defaultValue = "1000", description = "At most N entries (default: ${DEFAULT-VALUE}).")
    int max;

    @Override
    int run(Session s) throws IOException {
        ChangeList c = s.call(new Op.Audit(path, by, nanos(since), nanos(until), 0L, max));
        if (s.json()) {
            s.printJson(c);
            return SemfsCli.OK;
        }
        PrintStream o = s.out();
        for (ChangeList.ChangeEntry e : c.changes()) {
            o.printf("%6d  %s  %-12s %-9s %s%s%s%n", e.seq(), Formats.time(e.time(), s.zone()), e.agent(), e.op(),
                    e.path() == null ? "" : e.path(), e.toPath() == null ? "" : " -> " + e.toPath(),
                    e.version() > 0 ? "  (version " + e.version() + ")" : "");
        }
        return SemfsCli.OK;
    }

    static Long nanos(Instant t) {
        return t == null ? null : t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
