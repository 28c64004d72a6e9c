package dev.semfs.fuse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnableThreadsTest {
    @TempDir Path tmp;

    private RunnableThreads of(String loadavg, int cpus) throws IOException {
        return RunnableThreads.open(Files.writeString(tmp.resolve("loadavg"), loadavg), cpus);
    }

    @Test
    void aCpuIsToSpareWhileNoMoreThreadsAreRunnableThanCpus() throws IOException {
        try (RunnableThreads r = of("0.95 0.80 0.41 2/345 12345\n", 2)) {
            assertEquals(2, r.running());
            assertTrue(r.cpuToSpare(), "the loop and the process it answered, on two CPUs");
        }
        try (RunnableThreads r = of("3.10 2.00 1.50 3/345 12345\n", 2)) {
            assertFalse(r.cpuToSpare(), "a third runnable thread wants the CPU the loop would poll on");
        }
        try (RunnableThreads r = of("0.00 0.00 0.00 12/1024 1\n", 16)) {
            assertEquals(12, r.running());
            assertTrue(r.cpuToSpare());
        }
    }

    @Test
    void theFileIsReadAgainEachTime() throws IOException {
        Path f = Files.writeString(tmp.resolve("loadavg"), "0.00 0.00 0.00 1/83 15659\n");
        try (RunnableThreads r = RunnableThreads.open(f, 2)) {
            assertEquals(1, r.running());
            Files.writeString(f, "0.00 0.00 0.00 7/83 15659\n");
            assertEquals(7, r.running());
        }
    }

    @Test
    void withoutAReadableCountNoCpuIsToSpare() throws IOException {
        try (RunnableThreads r = RunnableThreads.open(tmp.resolve("absent"), 2)) {
            assertEquals(-1, r.running());
            assertFalse(r.cpuToSpare());
        }
        try (RunnableThreads r = of("garbage\n", 2)) {
            assertFalse(r.cpuToSpare());
        }
        try (RunnableThreads r = of("0.1 0.2 0.3 /83 1\n", 2)) {
            assertFalse(r.cpuToSpare());
        }
    }

    @Test
    void thisMachineHasACount() {
        try (RunnableThreads r = RunnableThreads.ofThisMachine()) {
            assertTrue(r.running() >= 0, "a count, read from /proc/loadavg (some sandboxes give 0/0: never to spare)");
        }
    }
}
