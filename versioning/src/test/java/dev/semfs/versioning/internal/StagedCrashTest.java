package dev.semfs.versioning.internal;

import dev.semfs.versioning.Inode;
import dev.semfs.versioning.VersionRecord;
import dev.semfs.versioning.WorkspaceStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Kills a child JVM with SIGKILL while closed versions of large files are still staged and being
 * chunked in the background, 12 times: after each reopen every acknowledged close is there byte
 * for byte (live content and its version), reads are right while the chunking resumes, and the
 * store passes its full check once it is done.
 */
class StagedCrashTest {
    @TempDir Path dir;

    @Test
    void closedStagedVersionsSurviveSigkillAndFinishChunkingOnReopen() throws Exception {
        long seed = Long.getLong("semfs.test.seed", new Random().nextLong()); // -Dsemfs.test.seed=N replays a run
        Random rnd = new Random(seed);
        Path store = dir.resolve("store");
        Path ack = dir.resolve("ack");
        int resumed = 0;
        for (int round = 0; round < 12; round++) {
            CrashWorkload.runAndKill(StagedCrashWorkload.class, store, ack, seed, dir, rnd, 150);
            if (hasStaged(store)) resumed++;
            verify(store, seed, CrashWorkload.lastAck(ack), "round " + round + ", seed " + seed);
        }
        assertTrue(resumed > 0, "no kill landed while a closed version was still staged (seed " + seed + ")");
    }

    private static boolean hasStaged(Path store) throws Exception {
        Path staging = store.resolve("staging");
        if (!Files.isDirectory(staging)) return false;
        try (var files = Files.list(staging)) {
            return files.findAny().isPresent();
        }
    }


    private static void verify(Path storeDir, long seed, long acked, String where) throws Exception {
        int files = StagedCrashWorkload.FILES;
        byte[][] ref = new byte[files][0];
        int[] closes = new int[files];
        boolean[] exists = new boolean[files];
        for (long i = 0; i <= acked; i++) {
            StagedCrashWorkload.Step s = StagedCrashWorkload.step(seed, i);
            exists[s.file()] = true;
            ref[s.file()] = StagedCrashWorkload.apply(ref[s.file()], s);
            closes[s.file()]++;
        }
        StagedCrashWorkload.Step next = StagedCrashWorkload.step(seed, acked + 1);
        byte[] nextContent = StagedCrashWorkload.apply(ref[next.file()].clone(), next);
        try (WorkspaceStore s = WorkspaceStore.open(storeDir, StagedCrashWorkload.options())) {
            for (int f = 0; f < files; f++) {
                if (!exists[f]) continue;
                long ino = s.lookup(WorkspaceStore.ROOT, StagedCrashWorkload.name(f)).map(Inode::ino).orElseThrow();
                // Read while the chunking of what was staged resumes in the background.
                byte[] live = StoreFixture.readAll(s, ino);
                boolean isNext = next.file() == f && Arrays.equals(live, nextContent);
                assertTrue(Arrays.equals(live, ref[f]) || isNext, "file " + f + " differs from its last acknowledged close ("
                        + live.length + " bytes, expected " + ref[f].length + "), " + where);
                List<VersionRecord> versions = s.versions(ino);
                VersionRecord last = versions.getLast();
                // A close that landed without its acknowledgement is done again by the next child:
                // one more version of the same content. None may be missing.
                assertTrue(versions.size() >= closes[f], "versions of file " + f + ": " + versions.size() + " of "
                        + closes[f] + ", " + where);
                assertArrayEquals(live, StoreFixture.readVersion(s, ino, last.number()), "newest version of file " + f + ", " + where);
            }
            StoreFixture.assertConsistent(s);
            assertFalse(hasStaged(storeDir), "staging files left after the check's sync, " + where);
        }
    }
}
