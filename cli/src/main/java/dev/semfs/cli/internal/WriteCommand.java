package dev.semfs.cli.internal;

import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.Op;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "write", description = "Write stdin to a workspace file (replacing it, or appending); cuts a version.")
final class WriteCommand extends WorkspaceCommand {

    @Parameters(paramLabel = "PATH", description = "Workspace file.")
    String path;

    @Option(names = {"-a", "--append"}, description = "Append instead of replacing.")
    boolean append;

    @Option(names = {"-p", "--parents"}, description = "Create missing parent directories.")
    boolean parents;

    private byte[] data;

    @Override
    void prepare() throws IOException {
        // Read before the store is opened: a slow producer must not hold the store meanwhile.
        data = root.env().in().readAllBytes();
    }

    @Override
    int run(Session s) throws IOException {
        FileInfo f = s.call(new Op.WriteFile(path, data, append, parents));
        if (s.json()) s.printJson(f);
        return SemfsCli.OK;
    }
}
