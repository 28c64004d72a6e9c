package dev.semfs.cli.internal;

import dev.semfs.syscalls.DiffResult;
import dev.semfs.syscalls.Op;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "diff", description = {
        "Line diff between two versions of a file, or a version and the live file.",
        "",
        "  diff PATH         the live file against the version before it",
        "  diff PATH V1      version V1 against the live file",
        "  diff PATH V1 V2   version V1 against version V2"})
final class DiffCommand extends WorkspaceCommand {

    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Parameters(index = "1", paramLabel = "V1", arity = "0..1")
    Long v1;

    @Parameters(index = "2", paramLabel = "V2", arity = "0..1")
    Long v2;

    @Override
    int run(Session s) throws IOException {
        DiffResult d = s.call(new Op.Diff(path, v1, v2));
        if (s.json()) {
            s.printJson(d);
        } else if (d.binary()) {
            s.out().printf("binary file %s: versions %s and %s differ%n", d.path(), side(d.from()), side(d.to()));
        } else {
            // Text before the first "---" is ignored by patch(1), so the sections line keeps the output a valid patch.
            if (!d.sections().isEmpty()) s.out().println("# changed sections: " + String.join(", ", d.sections()));
            s.out().print(d.unified());
            if (!d.unified().isEmpty() && !d.unified().endsWith("\n")) s.out().println();
        }
        return SemfsCli.OK;
    }

    private static String side(long v) {
        return v < 0 ? "live" : "v" + v;
    }
}
