package dev.semfs.cli.internal;

import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.Handle;
import dev.semfs.syscalls.Op;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "write", description = "Write stdin to a workspace file (replacing it, or appending); cuts a version.")
final class WriteCommand extends WorkspaceCommand {
    /** Up to this much stdin goes in one WriteFile call; more is streamed through a handle. */
    static final int WHOLE_WRITE_LIMIT = 8 << 20;

    @Parameters(paramLabel = "PATH", description = "Workspace file.")
    String path;

    @Option(names = {"-a", "--append"}, description = "Append instead of replacing.")
    boolean append;

    @Option(names = {"-p", "--parents"}, description = "Create missing parent directories.")
    boolean parents;

    private byte[] head;

    @Override
    void prepare() throws IOException {
        // Read before the store is opened, so a slow producer does not hold the store; only
        // input larger than the limit keeps the store open while it streams in.
        head = root.env().in().readNBytes(WHOLE_WRITE_LIMIT + 1);
    }

    @Override
    int run(Session s) throws IOException {
        FileInfo f = head.length <= WHOLE_WRITE_LIMIT
                ? s.call(new Op.WriteFile(path, head, append, parents))
                : stream(s, root.env().in());
        if (s.json()) s.printJson(f);
        return SemfsCli.OK;
    }

    /** Large input: one open handle, written piece by piece, one version at release. */
    private FileInfo stream(Session s, InputStream rest) throws IOException {
        if (parents) {
            String parent = parentOf(path);
            if (!parent.equals("/")) s.call(new Op.Mkdir(parent, true, MkdirCommand.DIR_MODE));
        }
        Handle h = s.call(new Op.Open(path, true, true, false, !append, 0644));
        java.io.InputStream all = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head), rest);
        head = null;
        Transfers.writeAndRelease(s, h, append ? h.file().size() : 0, all, n -> { });
        return s.call(new Op.Stat(path, true));
    }

    private static String parentOf(String p) {
        String t = p;
        while (t.length() > 1 && t.endsWith("/")) t = t.substring(0, t.length() - 1);
        int i = t.lastIndexOf('/');
        return i <= 0 ? "/" : t.substring(0, i);
    }
}
