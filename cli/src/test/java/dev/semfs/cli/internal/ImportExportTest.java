package dev.semfs.cli.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bulk copy in and out: a small tree goes through the workspace and comes back byte for byte. */
class ImportExportTest {
    private static final long SEED = 20250601L;

    @TempDir
    Path tmp;

    CliHarness cli;

    @BeforeEach
    void setUp() {
        cli = new CliHarness(tmp, new MutableClock(Instant.parse("2025-06-01T12:00:00Z")));
        assertEquals(0, cli.run("init").status());
    }

    /** A tree with nesting, an empty file, a file over several transfer chunks, an executable, a symlink. */
    private Path sampleTree() throws IOException {
        Random rnd = new Random(SEED);
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("docs/deep/er"));
        Files.createDirectories(src.resolve("empty-dir"));
        Files.writeString(src.resolve("README.md"), "# hello\n\nsemfs import test, ünïcödé\n");
        Files.write(src.resolve("empty.txt"), new byte[0]);
        byte[] big = new byte[Transfers.CHUNK * 2 + 12345];
        rnd.nextBytes(big);
        Files.write(src.resolve("docs/big.bin"), big);
        for (int i = 0; i < 20; i++) {
            byte[] small = new byte[rnd.nextInt(5000)];
            rnd.nextBytes(small);
            Files.write(src.resolve("docs/deep/er/f" + i + ".dat"), small);
        }
        Path script = src.resolve("run.sh");
        Files.writeString(script, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(src.resolve("docs/link-to-readme"), Path.of("../README.md"));
        return src;
    }

    /** Relative path -> content (files), "dir" (directories) or "-> target" (symlinks). */
    private static TreeMap<String, Object> snapshot(Path root) throws IOException {
        TreeMap<String, Object> m = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty()) continue;
                if (Files.isSymbolicLink(p)) m.put(rel, "-> " + Files.readSymbolicLink(p));
                else if (Files.isDirectory(p)) m.put(rel, "dir");
                else m.put(rel, Files.readAllBytes(p));
            }
        }
        return m;
    }

    @Test
    void roundTripKeepsEveryByte() throws IOException {
        Path src = sampleTree();
        CliHarness.Result in = cli.run("import", src.toString(), "/projects/p1");
        assertEquals(0, in.status(), in::toString);
        assertEquals("", in.err(), "no progress bar when stderr is not a terminal");
        assertTrue(in.out().startsWith("imported 24 files, 4 directories, 1 symlinks"), in::toString);

        assertEquals("# hello\n\nsemfs import test, ünïcödé\n", cli.run("cat", "/projects/p1/README.md").out());

        Path back = tmp.resolve("back");
        CliHarness.Result out = cli.run("export", "/projects/p1", back.toString());
        assertEquals(0, out.status(), out::toString);

        TreeMap<String, Object> expected = snapshot(src);
        TreeMap<String, Object> actual = snapshot(back);
        assertEquals(expected.keySet(), actual.keySet(), "seed " + SEED);
        for (String k : expected.keySet()) {
            Object e = expected.get(k);
            if (e instanceof byte[] bytes) assertArrayEquals(bytes, (byte[]) actual.get(k), k + ", seed " + SEED);
            else assertEquals(e, actual.get(k), k);
        }
        assertEquals("rwxr-x---", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(back.resolve("run.sh"), LinkOption.NOFOLLOW_LINKS)));
    }

    @Test
    void jsonReportsCounts() throws IOException {
        Path src = sampleTree();
        JsonNode in = new ObjectMapper().readTree(cli.run("--json", "import", src.toString()).outBytes());
        assertEquals(24, in.get("files").asLong(), in.toString());
        assertEquals(4, in.get("directories").asLong());
        assertEquals(1, in.get("symlinks").asLong());
        assertEquals("/", in.get("dest").asText());
        assertEquals(0, in.get("errors").size());

        JsonNode out = new ObjectMapper().readTree(cli.run("--json", "export", "/docs", tmp.resolve("out").toString()).outBytes());
        assertEquals(21, out.get("files").asLong(), out.toString());
        assertEquals(Files.size(src.resolve("docs/big.bin")) + sizeOfSmallFiles(src), out.get("bytes").asLong());
    }

    private static long sizeOfSmallFiles(Path src) throws IOException {
        long n = 0;
        for (int i = 0; i < 20; i++) n += Files.size(src.resolve("docs/deep/er/f" + i + ".dat"));
        return n;
    }

    @Test
    void singleFilesGoInAndOut() throws IOException {
        Path f = tmp.resolve("one.txt");
        Files.writeString(f, "just one");
        assertEquals(0, cli.run("mkdir", "/in").status());
        assertEquals(0, cli.run("import", f.toString(), "/in").status());
        assertEquals("just one", cli.run("cat", "/in/one.txt").out());
        assertEquals(0, cli.run("import", f.toString(), "/renamed.txt").status());
        assertEquals("just one", cli.run("cat", "/renamed.txt").out());

        Path outDir = Files.createDirectories(tmp.resolve("outdir"));
        assertEquals(0, cli.run("export", "/renamed.txt", outDir.toString()).status());
        assertEquals("just one", Files.readString(outDir.resolve("renamed.txt")));
    }

    @Test
    void progressIsDrawnOnStderrWhenAsked() throws IOException {
        Path src = sampleTree();
        CliHarness.Result r = cli.run("import", "--progress", src.toString(), "/p");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.err().contains("import") && r.err().contains("%"), r::toString);
        assertTrue(r.out().startsWith("imported "), "stdout keeps only the result: " + r);

        CliHarness.Result quiet = cli.run("export", "--no-progress", "/p", tmp.resolve("o").toString());
        assertEquals("", quiet.err());
    }

    @Test
    void progressIsDrawnByDefaultWhenStderrIsATerminal() throws IOException {
        Path src = sampleTree();
        cli.stderrIsTerminal = true;
        CliHarness.Result r = cli.run("import", src.toString(), "/p");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.err().contains("import") && r.err().contains("100%"), r::toString);
        CliHarness.Result off = cli.run("export", "--no-progress", "/p", tmp.resolve("o").toString());
        assertEquals("", off.err(), off::toString);
    }

    @Test
    void missingHostDirectoryFails() {
        CliHarness.Result r = cli.run("import", tmp.resolve("nope").toString());
        assertEquals(1, r.status(), r::toString);
        assertEquals("semfs: import " + tmp.resolve("nope") + ": no such file or directory" + System.lineSeparator(), r.err());
    }

    @Test
    void exportOfAMissingPathFails() {
        CliHarness.Result r = cli.run("export", "/nope", tmp.resolve("x").toString());
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().startsWith("semfs: export /nope: no such file or directory"), r::toString);
        assertTrue(Files.notExists(tmp.resolve("x")));
    }

    @Test
    void exportReplacesAHostSymlinkInsteadOfWritingThroughIt() throws IOException {
        assertEquals(0, cli.runWithInput("inside".getBytes(StandardCharsets.UTF_8), "write", "-p", "/t/f").status());
        Path victim = tmp.resolve("victim");
        Files.writeString(victim, "untouched");
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.createSymbolicLink(out.resolve("f"), victim);
        assertEquals(0, cli.run("export", "/t", out.toString()).status());
        assertEquals("untouched", Files.readString(victim));
        assertEquals("inside", Files.readString(out.resolve("f")));
    }
}
