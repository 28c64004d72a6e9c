package dev.semfs.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code ./semfs} launcher, run as a subprocess with its own HOME and store in a temp
 * directory. Never builds (SEMFS_NO_BUILD=1: a Maven build inside a Maven test run would race the
 * outer build), so tests using it are skipped when the launcher has not been built. Streams go
 * through files, not pipes, so a daemon the command leaves behind holds nothing the test waits on.
 */
final class Launcher {
    record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Path root;
    private final Path tmp;

    private Launcher(Path root, Path tmp) {
        this.root = root;
        this.tmp = tmp;
    }

    /** The launcher above the working directory, or the calling test is skipped. */
    static Launcher find(Path tmp) throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("semfs"))) dir = dir.getParent();
        assumeTrue(dir != null, "skipped: no ./semfs launcher above " + Path.of("").toAbsolutePath());
        assumeTrue(Files.isRegularFile(dir.resolve(".semfs-build/classpath")),
                "skipped: the ./semfs launcher has not been built here (run ./semfs --version once; .ci/run does)");
        Launcher l = new Launcher(dir, tmp);
        assumeTrue(!l.run(new byte[0], "--version").err().contains("not built"),
                "skipped: the launcher's build is older than the sources (run ./semfs --version to rebuild)");
        return l;
    }

    Run run(String... args) throws IOException {
        return run(new byte[0], args);
    }

    Run run(byte[] stdin, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("semfs").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SEMFS_NO_BUILD", "1");
        pb.environment().put("HOME", tmp.resolve("home").toString());
        pb.environment().put("SEMFS_STORE", tmp.resolve("store").toString());
        Path in = Files.write(Files.createTempFile(tmp, "in", ".bin"), stdin);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), "semfs " + String.join(" ", args) + " finished");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
