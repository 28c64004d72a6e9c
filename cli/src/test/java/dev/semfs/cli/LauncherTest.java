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
 * exit statuses and streams.
 */
class LauncherTest {
    @TempDir
    Path tmp;

    private Launcher launcher;

    @BeforeEach
    void findLauncher() throws IOException {
        launcher = Launcher.find(tmp);
    }

    private Launcher.Run run(byte[] stdin, String... args) throws IOException {
        return launcher.run(stdin, args);
    }

    @Test
    void versionAndHelp() throws IOException {
        Launcher.Run v = run(new byte[0], "--version");
        assertEquals(0, v.status(), v::toString);
        assertTrue(v.out().startsWith("semfs "), v::toString);
        assertEquals("", v.err(), "nothing on stderr (no JVM or library warnings): " + v);

        Launcher.Run h = run(new byte[0], "--help");
        assertEquals(0, h.status(), h::toString);
        assertTrue(h.out().contains("Usage: semfs"), h::toString);
    }

    @Test
    void usageErrorsExitWithTwo() throws IOException {
        Launcher.Run r = run(new byte[0], "no-such-command");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().startsWith("semfs: "), r::toString);
        assertEquals("", r.out());
    }

    @Test
    void aRealStoreFromInitToCat() throws IOException {
        Launcher.Run init = run(new byte[0], "init");
        assertEquals(0, init.status(), init::toString);
        assertEquals("", init.err(), init::toString);
        assertTrue(Files.isDirectory(tmp.resolve("store")), "SEMFS_STORE is the default store");

        byte[] text = "héllo from the launcher\n".getBytes(StandardCharsets.UTF_8);
        Launcher.Run write = run(text, "write", "-p", "/notes/hello.md");
        assertEquals(0, write.status(), write::toString);
        Launcher.Run cat = run(new byte[0], "cat", "/notes/hello.md");
        assertEquals(0, cat.status(), cat::toString);
        assertEquals(new String(text, StandardCharsets.UTF_8), cat.out());

        Launcher.Run ls = run(new byte[0], "--json", "ls", "/notes");
        assertEquals(0, ls.status(), ls::toString);
        assertTrue(ls.out().startsWith("{\"listings\":[{\"path\":\"/notes\""), ls::toString);

        Launcher.Run missing = run(new byte[0], "cat", "/notes/nope.md");
        assertEquals(1, missing.status(), missing::toString);
        assertEquals("semfs: cat /notes/nope.md: no such file or directory\n", missing.err());

        Launcher.Run escape = run(new byte[0], "cat", "/../etc/passwd");
        assertEquals(2, escape.status(), escape::toString);
        assertTrue(escape.err().startsWith("semfs: cat /../etc/passwd: invalid argument"), escape::toString);
    }

    @Test
    void aMissingStoreIsAFailureWithOneLine() throws IOException {
        Launcher.Run r = run(new byte[0], "ls", "/");
        assertEquals(1, r.status(), r::toString);
        assertEquals("semfs: ls " + tmp.resolve("store") + ": no such file or directory"
                + " (no semfs store here; create one with 'semfs init')\n", r.err());
    }
}
