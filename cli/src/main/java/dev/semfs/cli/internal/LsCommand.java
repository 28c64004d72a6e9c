package dev.semfs.cli.internal;

import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.Listing;
import dev.semfs.syscalls.Op;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ls", description = "List directories (or show files) of the workspace.")
final class LsCommand extends WorkspaceCommand {

    @Option(names = "-l", description = "Long format: mode, size, newest version, modification time, name.")
    boolean longFormat;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "Workspace paths (default: /).")
    List<String> paths = new ArrayList<>();

    @Override
    int run(Session s) throws IOException {
        List<String> targets = paths.isEmpty() ? List.of("/") : paths;
        List<Listing> listings = new ArrayList<>();
        int status = SemfsCli.OK;
        boolean first = true;
        for (String p : targets) {
            Listing l;
            try {
                FileInfo info = s.call(new Op.Stat(p, false));
                l = info.isDirectory() ? s.call(new Op.ListDir(p)) : new Listing(info.path(), List.of(info));
            } catch (IOException | RuntimeException e) {
                status = Math.max(status, s.fail(e));
                continue;
            }
            listings.add(l);
            if (!s.json()) {
                if (targets.size() > 1) {
                    if (!first) s.out().println();
                    s.out().println(l.path() + ":");
                }
                print(s, l);
            }
            first = false;
        }
        if (s.json()) s.printJson(Json.object("listings", listings, "errors", s.errors()));
        return status;
    }

    private void print(Session s, Listing l) {
        PrintStream o = s.out();
        for (FileInfo f : l.entries()) {
            if (!longFormat) {
                o.println(f.isDirectory() ? f.name() + "/" : f.name());
                continue;
            }
            String name = f.isSymlink() && f.symlinkTarget() != null ? f.name() + " -> " + f.symlinkTarget() : f.name();
            o.printf("%s %10d %5s %s %s%n", Formats.mode(f.type(), f.mode()), f.size(),
                    f.version() == 0 ? "-" : "v" + f.version() + (f.dirty() ? "*" : ""),
                    Formats.time(f.mtime(), s.zone()), name);
        }
    }
}
