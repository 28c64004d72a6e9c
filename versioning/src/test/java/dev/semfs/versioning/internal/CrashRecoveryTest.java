package dev.semfs.versioning.internal;

import dev.semfs.versioning.Inode;
import dev.semfs.versioning.WorkspaceStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Kills a writing child JVM with SIGKILL at random moments, 24 times, reopening the store after
 * each kill: every write acknowledged by fsync must be there, byte for byte, and the store must
 * pass its full consistency check.
 */
class CrashRecoveryTest {
    @TempDir Path dir;

    @Test
    void everyFsyncedWriteSurvivesSigkill() throws Exception {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        Path store = dir.resolve("store");
        Path ack = dir.resolve("ack");
        int kills = 0;
        long totalAcked = 0;
        for (int round = 0; round < 24; round++) {
            // Wait until it makes progress, then let it run a random while more before the kill.
            CrashWorkload.runAndKill(CrashWorkload.class, store, ack, seed, dir, rnd, 400);
            kills++;
            long acked = CrashWorkload.lastAck(ack);
            totalAcked = acked + 1;
            verify(store, seed, acked, "round " + round + ", seed " + seed);
        }
        assertTrue(kills >= 20);
        assertTrue(totalAcked > 100, "too little work between kills: " + totalAcked);
    }


    private static void verify(Path storeDir, long seed, long acked, String where) throws Exception {
        byte[][] ref = new byte[CrashWorkload.FILES][0];
        boolean[] exists = new boolean[CrashWorkload.FILES];
        for (long i = 0; i <= acked; i++) {
            CrashWorkload.Step s = CrashWorkload.step(seed, i);
            exists[s.file()] = true;
            CrashWorkload.apply(ref, s);
        }
        // The step after the last acknowledged one may have reached the store without its ack.
        CrashWorkload.Step next = CrashWorkload.step(seed, acked + 1);
        byte[][] after = new byte[CrashWorkload.FILES][];
        for (int f = 0; f < after.length; f++) after[f] = ref[f].clone();
        CrashWorkload.apply(after, next);
        try (WorkspaceStore s = StoreFixture.open(storeDir)) {
            for (int f = 0; f < CrashWorkload.FILES; f++) {
                var node = s.lookup(WorkspaceStore.ROOT, CrashWorkload.name(f));
                if (!exists[f]) continue; // created by the unacknowledged step at most
                assertTrue(node.isPresent(), "file " + f + " missing, " + where);
                byte[] actual = StoreFixture.readAll(s, node.map(Inode::ino).orElseThrow());
                boolean ok = Arrays.equals(actual, ref[f]) || (next.file() == f && Arrays.equals(actual, after[f]));
                assertTrue(ok, "file " + f + " differs from every acknowledged state (" + actual.length + " bytes, expected "
                        + ref[f].length + "), " + where);
            }
            StoreFixture.assertConsistent(s);
        }
    }
}
