package dev.semfs.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code semfs bench store} and {@code semfs bench mount}, run tiny: they print their tables and
 * leave nothing behind; bad options and missing programs are told before anything runs.
 */
class BenchCommandTest {
    @TempDir
    Path tmp;

    @Test
    void benchStoreRunsTinyAndPrintsTheTable() throws Exception {
        CliHarness cli = new CliHarness(tmp, Clock.systemUTC());
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        CliHarness.Result r = cli.run("bench", "store", "--size-mib", "2", "--runs", "1", "--versions", "3",
                "--dir", scratch.toString());
        assertEquals(0, r.status(), r::toString);
        String out = r.out();
        assertTrue(out.contains("| sequential write 2 MiB"), out);
        assertTrue(out.contains("| sequential read 2 MiB"), out);
        assertTrue(out.contains("| random 4 KiB writes"), out);
        assertTrue(out.contains("| 3 versions of a 10 MiB file"), out);
        assertTrue(out.contains("gc keeping the last version"), out);
        try (var left = Files.list(scratch)) {
            assertFalse(left.findAny().isPresent(), "the scratch directory is left empty");
        }
        assertFalse(Files.exists(cli.store()), "the workspace store is not touched");
    }

    @Test
    void benchWithoutAWhatIsAUsageError() {
        CliHarness cli = new CliHarness(tmp, Clock.systemUTC());
        CliHarness.Result r = cli.run("bench");
        assertEquals(SemfsCli.USAGE, r.status(), r::toString);
        assertTrue(r.err().contains("store"), r.err());
        assertTrue(r.err().contains("mount"), r.err());
    }

    private static final List<String> WORK = List.of("| getxattr of a missing name (one FUSE round trip) |", "| dd write 2 MiB bs=128k |", "| dd read 2 MiB bs=128k |",
            "| dd write 1 MiB bs=4k |", "| dd read 1 MiB bs=4k |", "| create+write+close 20 x 1 KiB |",
            "| ls -l of them |", "| cat of them |", "| rm -rf of them |");
    private static final List<String> FIO = List.of("| fio 4k random read, 1 reader |", "| fio 4k random read, 2 readers |");

    @Test
    void benchMountRunsTinyOnRealMountsAndPrintsEveryRowWithItsRatios() throws Exception {
        requireFuse();
        CliHarness cli = new CliHarness(tmp, Clock.systemUTC());
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        CliHarness.Result r = cli.run("bench", "mount", "--big-mib", "2", "--small-mib", "1", "--files", "20",
                "--fio-seconds", "1", "--only", "native,semfs,fake", "--runs", "1", "--dir", scratch.toString());
        assertEquals(0, r.status(), r::toString);
        String out = r.out();
        assertTrue(out.contains(" UTC, nproc ") && out.contains("load average") && out.contains("kernel "), out);
        assertTrue(out.contains("| work | unit | native | semfs | semfs / native | semfs / fake | fake | fake / native |"), out);
        boolean fio = onPath("fio");
        List<String> rows = new ArrayList<>(WORK);
        if (fio) rows.addAll(FIO);
        for (String work : rows) {
            String[] cells = row(out, work);
            assertEquals(8, cells.length, work + " has a figure and a ratio for each target, and semfs against the fake: " + out);
            for (int i : new int[] {2, 3, 6}) assertTrue(cells[i].matches("[0-9,]+"), work + ": " + out);
            for (int i : new int[] {4, 5, 7}) assertTrue(cells[i].matches("[0-9]+\\.[0-9]{2}"), work + ": " + out);
        }
        if (!fio) assertTrue(out.contains("fio not found"), out);
        String[] threads = row(out, "| JVM threads started during the run |");
        assertTrue(threads[2].isEmpty() && !threads[3].isEmpty() && !threads[6].isEmpty(), out);
        assertTrue(r.err().contains("== semfs on ") && r.err().contains("requests per file:"), r.err());
        try (var left = Files.list(scratch)) {
            assertFalse(left.findAny().isPresent(), "the scratch directory is left empty");
        }
        assertFalse(Files.exists(cli.store()), "the workspace store is not touched");
    }

    @Test
    void benchMountWithoutFioLeavesItsRowsOutAndSaysSo() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String p : List.of("bash", "dd", "seq", "mkdir", "ls", "cat", "rm", "nproc")) {
            Files.createSymbolicLink(bin.resolve(p), which(p));
        }
        CliHarness cli = new CliHarness(tmp, Clock.systemUTC());
        cli.environment = Map.of("PATH", bin.toString());
        CliHarness.Result r = cli.run("bench", "mount", "--big-mib", "1", "--small-mib", "1", "--files", "5",
                "--only", "native", "--runs", "2", "--dir", Files.createDirectories(tmp.resolve("scratch")).toString());
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("no fio rows (fio not found)"), r.out());
        assertFalse(r.out().contains("| fio"), r.out());
        for (String work : List.of("| dd write 1 MiB bs=128k |", "| rm -rf of them |")) assertEquals(3, row(r.out(), work).length);
    }

    @Test
    void benchMountSaysWhatIsMissingBeforeRunning() throws Exception {
        CliHarness cli = new CliHarness(tmp, Clock.systemUTC());
        cli.environment = Map.of("PATH", Files.createDirectories(tmp.resolve("empty")).toString());
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        CliHarness.Result r = cli.run("bench", "mount", "--only", "native", "--dir", scratch.toString());
        assertEquals(SemfsCli.FAILED, r.status(), r::toString);
        assertTrue(r.err().startsWith("semfs: bench mount: not found: bash, dd, "), r.err());
        try (var left = Files.list(scratch)) {
            assertFalse(left.findAny().isPresent(), "nothing was started");
        }
    }

    @Test
    void benchMountRejectsBadOptions() {
        CliHarness cli = new CliHarness(tmp, Clock.systemUTC());
        Map<List<String>, String> cases = Map.of(
                List.of("--runs", "0"), "--runs must be 1 to 100",
                List.of("--big-mib", "0"), "--big-mib must be 1 to",
                List.of("--small-mib", "-1"), "--small-mib must be 1 to",
                List.of("--files", "0"), "--files must be 1 to",
                List.of("--fio-seconds", "0"), "--fio-seconds must be 1 to 3600",
                List.of("--only", "native,nfs"), "--only: unknown target 'nfs'",
                List.of("--only", "native,native"), "--only names a target twice",
                List.of("--only", "fake", "--big-mib", "4096"), "at most 2047 with the fake targets",
                List.of("--dir", tmp.resolve("absent").toString()), "--dir: not a directory",
                List.of("--runs", "x"), "'x' is not an int");
        cases.forEach((args, message) -> {
            List<String> all = new ArrayList<>(List.of("bench", "mount"));
            all.addAll(args);
            CliHarness.Result r = cli.run(all.toArray(String[]::new));
            assertEquals(SemfsCli.USAGE, r.status(), args + ": " + r);
            assertTrue(r.err().contains(message), args + ": " + r.err());
        });
    }

    /** The cells of the table row that starts with {@code start}, trimmed, without the outer bars. */
    private static String[] row(String out, String start) {
        for (String line : out.split("\n")) {
            if (line.startsWith(start)) {
                return Arrays.stream(line.substring(1, line.length() - 1).split("\\|", -1)).map(String::trim).toArray(String[]::new);
            }
        }
        return fail("no row " + start + " in:\n" + out);
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    private static Path which(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (!dir.isEmpty() && Files.isExecutable(p)) return p.toAbsolutePath();
        }
        Assumptions.abort(program + " not found");
        return null;
    }

    /**
     * As the mount's own tests: without /dev/fuse or fusermount the FUSE test is skipped on a
     * developer machine but fails when CI=true, so a CI image without FUSE cannot pass silently.
     */
    private static void requireFuse() {
        if (Files.exists(Path.of("/dev/fuse")) && (onPath("fusermount3") || onPath("fusermount"))) return;
        String why = "FUSE is not available (/dev/fuse and fusermount3 needed; apt-get install -y fuse3)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(why);
        Assumptions.abort(why);
    }
}
