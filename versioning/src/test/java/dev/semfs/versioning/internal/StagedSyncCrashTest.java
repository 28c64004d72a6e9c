package dev.semfs.versioning.internal;

import dev.semfs.versioning.Inode;
import dev.semfs.versioning.WorkspaceStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Kills a child JVM with SIGKILL while files' fsynced writes are still staged (recorded, not
 * chunked, no version), 12 times: after each reopen every acknowledged fsync is there byte for
 * byte, the unacknowledged step's writes are there or not but corrupt nothing else, no fsync
 * made a version, and the store passes its full check once the chunking is done.
 */
class StagedSyncCrashTest {
    @TempDir Path dir;

    @Test
    void fsyncedStagedWritesSurviveSigkillWithoutVersions() throws Exception {
        long seed = Long.getLong("semfs.test.seed", new Random().nextLong()); // -Dsemfs.test.seed=N replays a run
        Random rnd = new Random(seed);
        Path store = dir.resolve("store");
        Path ack = dir.resolve("ack");
        int staged = 0;
        for (int round = 0; round < 12; round++) {
            CrashWorkload.runAndKill(StagedSyncCrashWorkload.class, store, ack, seed, dir, rnd, 150);
            if (StagingTest.stagedRecords(store).containsValue(0L)) staged++;
            verify(store, seed, CrashWorkload.lastAck(ack), round, "round " + round + ", seed " + seed);
        }
        assertTrue(staged > 0, "no kill landed while fsynced writes were recorded staged (seed " + seed + ")");
    }

    private static boolean hasStaged(Path store) throws Exception {
        Path staging = store.resolve("staging");
        if (!Files.isDirectory(staging)) return false;
        try (var files = Files.list(staging)) {
            return files.findAny().isPresent();
        }
    }

    private static void verify(Path storeDir, long seed, long acked, int round, String where) throws Exception {
        int files = StagedSyncCrashWorkload.FILES;
        byte[][] ref = new byte[files][0];
        int[] closes = new int[files];
        boolean[] exists = new boolean[files];
        for (long i = 0; i <= acked; i++) {
            StagedSyncCrashWorkload.Step s = StagedSyncCrashWorkload.step(seed, i);
            exists[s.file()] = true;
            for (int k = 0; k < s.offsets().length; k++) ref[s.file()] = put(ref[s.file()], s.offsets()[k], s.data()[k]);
            if (s.close()) closes[s.file()]++;
        }
        StagedSyncCrashWorkload.Step next = StagedSyncCrashWorkload.step(seed, acked + 1);
        try (WorkspaceStore s = WorkspaceStore.open(storeDir, StagedCrashWorkload.options())) {
            for (int f = 0; f < files; f++) {
                var found = s.lookup(WorkspaceStore.ROOT, StagedSyncCrashWorkload.name(f)).map(Inode::ino);
                if (!exists[f]) continue; // created by the unacknowledged step, or not at all
                long ino = found.orElseThrow(() -> new AssertionError("an acknowledged file is missing, " + where));
                // Read while the chunking of what was staged resumes in the background.
                byte[] live = StoreFixture.readAll(s, ino);
                if (next.file() == f) {
                    checkAcknowledgedBytes(live, ref[f], next, "file " + f + ", " + where);
                } else {
                    assertArrayEquals(ref[f], live, "file " + f + " differs from its last acknowledged fsync, " + where);
                }
                // Versions come from closes only: one more per round at most (a close done again
                // after a kill that landed before its acknowledgement).
                int versions = s.versions(ino).size();
                assertTrue(versions >= closes[f] && versions <= closes[f] + round + 1, "file " + f + " has " + versions
                        + " versions for " + closes[f] + " acknowledged closes: an fsync made one, " + where);
            }
            StoreFixture.assertConsistent(s);
            assertFalse(hasStaged(storeDir), "staging files left after the check's sync, " + where);
        }
    }

    /**
     * The file of the step after the last acknowledged one: each byte is its acknowledged value,
     * or (written after that fsync) one of the step's own; the size is between the two.
     */
    private static void checkAcknowledgedBytes(byte[] live, byte[] acked, StagedSyncCrashWorkload.Step next, String where) {
        long max = acked.length;
        for (int k = 0; k < next.offsets().length; k++) max = Math.max(max, next.offsets()[k] + next.data()[k].length);
        assertTrue(live.length >= acked.length && live.length <= max, "size " + live.length + " outside ["
                + acked.length + ", " + max + "], " + where);
        for (int i = 0; i < live.length; i++) {
            boolean ok = live[i] == (i < acked.length ? acked[i] : 0);
            for (int k = 0; !ok && k < next.offsets().length; k++) {
                long at = i - next.offsets()[k];
                ok = at >= 0 && at < next.data()[k].length && next.data()[k][(int) at] == live[i];
            }
            if (!ok) fail("byte " + i + " is neither acknowledged nor written after, " + where);
        }
    }

    private static byte[] put(byte[] f, long off, byte[] d) {
        int end = (int) off + d.length;
        if (end > f.length) f = java.util.Arrays.copyOf(f, end);
        System.arraycopy(d, 0, f, (int) off, d.length);
        return f;
    }
}
