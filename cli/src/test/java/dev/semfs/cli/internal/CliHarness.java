package dev.semfs.cli.internal;

import dev.semfs.cli.WorkspaceOpener;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Workspace;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code semfs} in-process, as picocli's execute would from main, with captured streams,
 * a given stdin and clock, and the store in a temp directory.
 */
final class CliHarness {
    record Result(int status, byte[] outBytes, String err) {
        String out() {
            return new String(outBytes, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out() + "--- stderr\n" + err;
        }
    }

    private final Path store;
    private final Clock clock;
    private final WorkspaceOpener opener;
    boolean stderrIsTerminal;

    CliHarness(Path tmp, Clock clock) {
        this.store = tmp.resolve("store");
        this.clock = clock;
        this.opener = fakeOpener(clock);
    }

    Path store() {
        return store;
    }

    /**
     * The workspace behind the tests. Until the real store is on this branch, an in-memory fake
     * that lives as long as the harness; the directory stands for the store's existence so that
     * "no store" behaves as with the real opener.
     */
    private static WorkspaceOpener fakeOpener(Clock clock) {
        InMemoryWorkspace ws = new InMemoryWorkspace(clock);
        return (dir, create) -> {
            if (create) Files.createDirectories(dir);
            else if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "no semfs store here");
            return new Workspace() {
                @Override
                public <R> R call(Caller caller, Op<R> op) throws IOException {
                    return ws.call(caller, op);
                }

                @Override
                public void close() {}
            };
        };
    }

    Result run(String... args) {
        return runWithInput(new byte[0], args);
    }

    Result runWithInput(byte[] stdin, String... args) {
        List<String> all = new ArrayList<>(List.of("--store", store.toString()));
        all.addAll(List.of(args));
        return runRaw(stdin, all.toArray(String[]::new));
    }

    /** Without the --store this harness adds. */
    Result runRaw(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            CliEnv env = new CliEnv(new ByteArrayInputStream(stdin), o, e, Map.of(), store.getParent().toString(),
                    clock, stderrIsTerminal, opener);
            int status = SemfsCli.run(args, env);
            o.flush();
            e.flush();
            return new Result(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        }
    }
}
