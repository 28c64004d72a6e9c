package dev.semfs.cli.internal;

import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.Op;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "mv", description = "Move or rename; into TO when TO is an existing directory, replacing a file at the target.")
final class MvCommand extends WorkspaceCommand {

    @Parameters(index = "0", paramLabel = "FROM")
    String from;

    @Parameters(index = "1", paramLabel = "TO")
    String to;

    @Override
    int run(Session s) throws IOException {
        String target = to;
        try {
            // mv(1) convention: a directory target receives the source under its own name.
            if (s.call(new Op.Stat(to, true)).isDirectory()) target = Formats.child(to, baseName(from));
        } catch (NoSuchFileException e) {
            // plain rename to a new name
        }
        FileInfo f = s.call(new Op.Move(from, target));
        if (s.json()) s.printJson(f);
        return SemfsCli.OK;
    }

    private static String baseName(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.substring(p.lastIndexOf('/') + 1);
    }
}
