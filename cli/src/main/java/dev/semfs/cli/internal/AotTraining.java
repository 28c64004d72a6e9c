package dev.semfs.cli.internal;

import dev.semfs.cli.WorkspaceOpener;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import java.io.Closeable;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The training run behind the launcher's JDK AOT cache: the JVM records the classes loaded and
 * linked while this runs the common commands against a scratch store, and later runs of
 * {@code semfs} start with them ready. One JVM for many commands, so the cache covers more than
 * one command's path. Used only by {@code ./semfs} at build time.
 */
public final class AotTraining {
    private AotTraining() {}

    /** {@code args[0]}: a scratch directory the store is created in. */
    public static void main(String[] args) throws java.io.IOException {
        String store = Path.of(args[0]).resolve("store").toString();
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        String[][] runs = {
                {"--help"}, {"init"}, {"mkdir", "-p", "/a/b"}, {"write", "-p", "/a/b/c.md"},
                {"write", "--append", "/a/b/c.md"}, {"ls", "-l", "/a/b"}, {"ls", "--json", "/"}, {"cat", "/a/b/c.md"},
                {"log", "/a/b/c.md"}, {"diff", "/a/b/c.md", "1", "2"}, {"status"}, {"snapshot", "t"},
                {"snapshots"}, {"mv", "/a/b/c.md", "/a/d.md"}, {"rm", "-r", "/a"}, {"cat", "/missing"},
                {"ls", "--help"}, {"nosuchcommand"}};
        for (String[] run : runs) runOnce(store, run, sink, args[0]);
        // The same commands as clients of a daemon that holds the store (how they run while a
        // mount is up): the socket client and its JSON wire.
        Path storeDir = Path.of(store);
        try (Workspace held = Workspaces.open(storeDir); Closeable daemon = Workspaces.serve(held, storeDir)) {
            for (String[] run : runs) runOnce(store, run, sink, args[0]);
        }
    }

    private static void runOnce(String store, String[] run, PrintStream sink, String home) {
        String[] withStore = new String[run.length + 2];
        withStore[0] = "--store";
        withStore[1] = store;
        System.arraycopy(run, 0, withStore, 2, run.length);
        CliEnv env = new CliEnv(new ByteArrayInputStream("# training\ntext\n".getBytes(StandardCharsets.UTF_8)),
                sink, sink, Map.of(), home, Clock.systemDefaultZone(), false, WorkspaceOpener.standard());
        SemfsCli.run(withStore, env);
    }
}
