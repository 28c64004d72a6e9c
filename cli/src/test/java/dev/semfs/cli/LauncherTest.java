package dev.semfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code ./semfs} launcher as a subprocess: Java discovery, class path file, JVM flags,
 * exit statuses and streams. Never builds (SEMFS_NO_BUILD=1: a Maven build inside a Maven test
 * run would race the outer build), so it is skipped when the launcher has not been built.
 */
class LauncherTest {
    @TempDir
    Path tmp;

    Path root;

    record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    @BeforeEach
    void findLauncher() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("semfs"))) dir = dir.getParent();
        assumeTrue(dir != null, "skipped: no ./semfs launcher above " + Path.of("").toAbsolutePath());
        root = dir;
        assumeTrue(Files.isRegularFile(root.resolve(".semfs-build/classpath")),
                "skipped: the ./semfs launcher has not been built here (run ./semfs --version once; .ci/run does)");
        Run probe = run(new byte[0], "--version");
        assumeTrue(!probe.err().contains("not built"),
                "skipped: the launcher's build is older than the sources (run ./semfs --version to rebuild)");
    }

    private Run run(byte[] stdin, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("semfs").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SEMFS_NO_BUILD", "1");
        pb.environment().put("HOME", tmp.resolve("home").toString());
        pb.environment().put("SEMFS_STORE", tmp.resolve("store").toString());
        Process p = pb.start();
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher finished");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void versionAndHelp() throws IOException {
        Run v = run(new byte[0], "--version");
        assertEquals(0, v.status(), v::toString);
        assertTrue(v.out().startsWith("semfs "), v::toString);
        assertEquals("", v.err(), "nothing on stderr (no JVM or library warnings): " + v);

        Run h = run(new byte[0], "--help");
        assertEquals(0, h.status(), h::toString);
        assertTrue(h.out().contains("Usage: semfs"), h::toString);
    }

    @Test
    void usageErrorsExitWithTwo() throws IOException {
        Run r = run(new byte[0], "no-such-command");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().startsWith("semfs: "), r::toString);
        assertEquals("", r.out());
    }

    @Test
    void aRealStoreFromInitToCat() throws IOException {
        Run init = run(new byte[0], "init");
        assertEquals(0, init.status(), init::toString);
        assertEquals("", init.err(), init::toString);
        assertTrue(Files.isDirectory(tmp.resolve("store")), "SEMFS_STORE is the default store");

        byte[] text = "héllo from the launcher\n".getBytes(StandardCharsets.UTF_8);
        Run write = run(text, "write", "-p", "/notes/hello.md");
        assertEquals(0, write.status(), write::toString);
        Run cat = run(new byte[0], "cat", "/notes/hello.md");
        assertEquals(0, cat.status(), cat::toString);
        assertEquals(new String(text, StandardCharsets.UTF_8), cat.out());

        Run ls = run(new byte[0], "--json", "ls", "/notes");
        assertEquals(0, ls.status(), ls::toString);
        assertTrue(ls.out().startsWith("{\"listings\":[{\"path\":\"/notes\""), ls::toString);

        Run missing = run(new byte[0], "cat", "/notes/nope.md");
        assertEquals(1, missing.status(), missing::toString);
        assertEquals("semfs: cat /notes/nope.md: no such file or directory\n", missing.err());

        Run escape = run(new byte[0], "cat", "/../etc/passwd");
        assertEquals(2, escape.status(), escape::toString);
        assertTrue(escape.err().startsWith("semfs: cat /../etc/passwd: invalid argument"), escape::toString);
    }

    @Test
    void aMissingStoreIsAFailureWithOneLine() throws IOException {
        Run r = run(new byte[0], "ls", "/");
        assertEquals(1, r.status(), r::toString);
        assertEquals("semfs: ls " + tmp.resolve("store") + ": no such file or directory"
                + " (no semfs store here; create one with 'semfs init')\n", r.err());
    }
}
