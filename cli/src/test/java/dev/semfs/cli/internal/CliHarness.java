package dev.semfs.cli.internal;

import dev.semfs.cli.WorkspaceOpener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code semfs} in-process, as picocli's execute would from main, with captured streams,
 * a given stdin and clock, and a real store in a temp directory.
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
    Map<String, String> environment = Map.of();

    CliHarness(Path tmp, Clock clock) {
        this.store = tmp.resolve("store");
        this.clock = clock;
        // The real store, opened and closed by every command as from a shell.
        this.opener = DaemonOrLocalOpener.withClock(clock);
    }

    Path store() {
        return store;
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
        Result r = execute(new ByteArrayInputStream(stdin), out, args);
        return new Result(r.status(), out.toByteArray(), r.err());
    }

    /** With live streams, for a command that talks on stdin/stdout while it runs (mcp); stdout is not captured. */
    Result runStreaming(java.io.InputStream stdin, java.io.OutputStream stdout, String... args) {
        List<String> all = new ArrayList<>(List.of("--store", store.toString()));
        all.addAll(List.of(args));
        return execute(stdin, stdout, all.toArray(String[]::new));
    }

    private Result execute(java.io.InputStream stdin, java.io.OutputStream stdout, String[] args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(stdout, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            CliEnv env = new CliEnv(stdin, o, e, environment, store.getParent().toString(),
                    clock, stderrIsTerminal, opener);
            int status = SemfsCli.run(args, env);
            o.flush();
            e.flush();
            return new Result(status, new byte[0], err.toString(StandardCharsets.UTF_8));
        }
    }
}
