package dev.semfs.cli.internal;

import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.Op;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "mkdir", description = "Create directories.")
final class MkdirCommand extends WorkspaceCommand {
    static final int DIR_MODE = 0755;

    @Option(names = {"-p", "--parents"}, description = "Create missing parents; no error if the directory exists.")
    boolean parents;

    @Parameters(paramLabel = "PATH", arity = "1..*")
    List<String> paths;

    @Override
    int run(Session s) throws IOException {
        int status = SemfsCli.OK;
        List<FileInfo> created = new ArrayList<>();
        for (String p : paths) {
            try {
                created.add(s.call(new Op.Mkdir(p, parents, DIR_MODE)));
            } catch (IOException | RuntimeException e) {
                status = Math.max(status, s.fail(e));
            }
        }
        if (s.json()) s.printJson(Json.object("created", created, "errors", s.errors()));
        return status;
    }
}
