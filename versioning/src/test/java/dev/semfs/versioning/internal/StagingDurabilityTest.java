package dev.semfs.versioning.internal;

import dev.semfs.versioning.Change;
import dev.semfs.versioning.FileType;
import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.VersionKind;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What makes staged writes durable: every synced write forces the staging files its records
 * name first, and a staging file goes only once the batch dropping its record is synced.
 */
class StagingDurabilityTest {
    @TempDir Path dir;

    /** 4 KiB chunks, 16 KiB in memory: staging shows up with small files. */
    private WorkspaceStore open() throws IOException {
        return WorkspaceStore.open(dir.resolve("store"), new StoreOptions(Clock.systemUTC(), 4096, 16 * 1024));
    }

    private static Change ch(String path) {
        return Change.of("tester", path);
    }

    private static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** A file whose writes are fsynced and stay staged: its staging file is named by a record. */
    private static long syncedStaged(WorkspaceStore s, String name, byte[] data) throws IOException {
        long ino = s.create(WorkspaceStore.ROOT, name, FileType.FILE, 0644, 0, 0, null, ch("/" + name)).ino();
        s.write(ino, 0, data, 0, data.length, ch("/" + name));
        s.sync(ino);
        return ino;
    }

    @Test
    void settingWritesForceTheRecordedStagingFilesFirst() throws Exception {
        Random r = new Random(1);
        try (WorkspaceStore s = open()) {
            long ino = syncedStaged(s, "f", random(r, 200_000));
            byte[] more = random(r, 50_000);
            s.write(ino, 0, more, 0, more.length, ch("/f")); // unforced bytes in a recorded file
            long before = StagingFile.forces.get();
            s.putSetting("k", new byte[]{1});
            assertTrue(StagingFile.forces.get() > before, "a synced setting write forces the staging files first");
            before = StagingFile.forces.get();
            s.deleteSetting("k");
            assertTrue(StagingFile.forces.get() > before, "so does a synced delete of a setting");
        }
    }

    @Test
    void aChunkedStagingFileGoesOnlyAfterALogSync() throws Exception {
        Random r = new Random(2);
        try (WorkspaceStore s = open()) {
            syncedStaged(s, "kept", random(r, 100_000)); // recorded, stays staged: forced by every log sync
            long ino = s.create(WorkspaceStore.ROOT, "f", FileType.FILE, 0644, 0, 0, null, ch("/f")).ino();
            byte[] data = random(r, 300_000);
            s.write(ino, 0, data, 0, data.length, ch("/f"));
            // Nothing syncs the log between the close and the chunking: a record of the closed
            // version may still be on disk all the same (a synced setting write, a memtable flush).
            long before = StagingFile.forces.get();
            s.commit(ino, VersionKind.WRITE, ch("/f")).orElseThrow();
            s.settle(); // chunks the closed version (here or in the background): its staging file goes
            assertTrue(StagingFile.forces.get() > before,
                    "the log is synced (forcing the staging files) before the chunked staging file is deleted");
            assertArrayEquals(data, StoreFixture.readAll(s, ino));
        }
    }

    @Test
    void theFirstForceOfANewStagingFileForcesItsDirectoryOnce() throws Exception {
        Random r = new Random(3);
        try (WorkspaceStore s = open()) {
            long before = StagingFile.dirForces.get();
            long[] inos = new long[3];
            for (int i = 0; i < inos.length; i++) inos[i] = syncedStaged(s, "f" + i, random(r, 100_000));
            assertEquals(inos.length + 1, StagingFile.dirForces.get() - before,
                    "the staging directory once per new file, and its parent once after creating it");
            before = StagingFile.dirForces.get();
            for (long ino : inos) {
                byte[] more = random(r, 20_000);
                s.write(ino, 0, more, 0, more.length, ch("/f"));
                s.sync(ino);
            }
            assertEquals(0, StagingFile.dirForces.get() - before, "names already forced are not forced again");
        }
    }
}
