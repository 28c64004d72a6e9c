package dev.semfs.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code semfs bench store}, run tiny: it prints the store table and leaves nothing behind. */
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
    }
}
