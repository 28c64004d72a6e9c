package dev.semfs.cli.internal;

import dev.semfs.syscalls.History;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.VersionInfo;
import java.io.IOException;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "log", description = "Versions of a file (live or deleted), oldest first.")
final class LogCommand extends WorkspaceCommand {

    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    int run(Session s) throws IOException {
        History h = s.call(new Op.Log(path));
        if (s.json()) {
            s.printJson(h);
            return SemfsCli.OK;
        }
        PrintStream o = s.out();
        if (h.deleted()) o.println(h.path() + " (deleted)");
        o.printf("%5s  %-19s  %-8s  %10s  %-12s  %s%n", "#", "time", "kind", "size", "agent", "reason");
        for (VersionInfo v : h.versions()) {
            o.printf("%5d  %-19s  %-8s  %10d  %-12s  %s%n", v.number(), Formats.time(v.time(), s.zone()), v.kind(),
                    v.size(), v.agent(), v.reason() == null ? "" : v.reason());
        }
        if (h.movedFrom() != null) o.println("(renamed from " + h.movedFrom() + ": its earlier versions are in 'semfs log " + h.movedFrom() + "')");
        return SemfsCli.OK;
    }
}
