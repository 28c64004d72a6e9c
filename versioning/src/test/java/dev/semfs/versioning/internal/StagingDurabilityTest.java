package dev.semfs.versioning.internal;

import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.VersionKind;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        return open(dir.resolve("store"));
    }

    private static WorkspaceStore open(Path store) throws IOException {
        return WorkspaceStore.open(store, new StoreOptions(Clock.systemUTC(), 4096, 16 * 1024));
    }

    /** Reads ({@code value} null) or writes a key of the default column family of a store that is not open. */
    private static byte[] rawDefault(Path store, byte[] key, byte[] value) throws Exception {
        List<byte[]> names;
        try (org.rocksdb.Options o = new org.rocksdb.Options()) {
            names = org.rocksdb.RocksDB.listColumnFamilies(o, store.toString());
        }
        List<org.rocksdb.ColumnFamilyDescriptor> cfs = names.stream().map(org.rocksdb.ColumnFamilyDescriptor::new).toList();
        List<org.rocksdb.ColumnFamilyHandle> handles = new ArrayList<>();
        try (org.rocksdb.DBOptions o = new org.rocksdb.DBOptions();
             org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(o, store.toString(), cfs, handles)) {
            try {
                if (value == null) return db.get(key);
                db.put(key, value);
                return value;
            } finally {
                handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
            }
        }
    }

    /** A file whose writes are fsynced and stay staged: its staging file is named by a record. */
    private static long syncedStaged(WorkspaceStore s, String name, byte[] data) throws IOException {
        long ino = StoreFixture.file(s, name).ino();
        s.write(ino, 0, data, 0, data.length, StoreFixture.change("/" + name));
        s.sync(ino);
        return ino;
    }

    @Test
    void settingWritesForceTheRecordedStagingFilesFirst() throws Exception {
        Random r = new Random(1);
        try (WorkspaceStore s = open()) {
            long ino = syncedStaged(s, "f", StagingTest.random(r, 200_000));
            byte[] more = StagingTest.random(r, 50_000);
            s.write(ino, 0, more, 0, more.length, StoreFixture.change("/f")); // unforced bytes in a recorded file
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
            syncedStaged(s, "kept", StagingTest.random(r, 100_000)); // recorded, stays staged: forced by every log sync
            long ino = StoreFixture.file(s, "f").ino();
            byte[] data = StagingTest.random(r, 300_000);
            s.write(ino, 0, data, 0, data.length, StoreFixture.change("/f"));
            // Nothing syncs the log between the close and the chunking: a record of the closed
            // version may still be on disk all the same (a synced setting write, a memtable flush).
            long before = StagingFile.forces.get();
            s.commit(ino, VersionKind.WRITE, StoreFixture.change("/f")).orElseThrow();
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
            for (int i = 0; i < inos.length; i++) inos[i] = syncedStaged(s, "f" + i, StagingTest.random(r, 100_000));
            assertEquals(inos.length + 1, StagingFile.dirForces.get() - before,
                    "the staging directory once per new file, and its parent once after creating it");
            before = StagingFile.dirForces.get();
            for (long ino : inos) {
                byte[] more = StagingTest.random(r, 20_000);
                s.write(ino, 0, more, 0, more.length, StoreFixture.change("/f"));
                s.sync(ino);
            }
            assertEquals(0, StagingFile.dirForces.get() - before, "names already forced are not forced again");
        }
    }

    /**
     * A file unlinked while open whose staged writes were recorded when the process died (killed
     * between two slices of their chunking): at open its content goes, and its record and
     * staging file with it, instead of staged writes being restored onto a deleted node.
     */
    @Test
    void anOrphansStagedRecordGoesWithItAtOpen() throws Exception {
        Random r = new Random(4);
        Path store = dir.resolve("store");
        Path recorded = dir.resolve("recorded");
        Path orphaned = dir.resolve("orphaned");
        byte[] data = StagingTest.random(r, 300_000);
        long ino;
        try (WorkspaceStore s = open()) {
            ino = StoreFixture.file(s, "big").ino();
            s.retain(ino);
            s.write(ino, 0, data, 0, data.length, StoreFixture.change("/big"));
            s.sync(ino);
            StagingTest.crashImage(s, store, recorded); // the staged writes recorded
            s.unlink(WorkspaceStore.ROOT, "big", StoreFixture.change("/big"));
            s.sync(ino);
            StagingTest.crashImage(s, store, orphaned); // unlinked, still open
        }
        // Unlinked and open, with the record (and its staging file) of the fsync still there: what
        // a kill between two slices of the unlink's chunking leaves.
        byte[] key = Codec.utf8("staged/" + ino);
        byte[] record = rawDefault(recorded, key, null);
        assertNotNull(record);
        rawDefault(orphaned, key, record);
        try (var files = Files.list(recorded.resolve("staging"))) {
            for (Path f : files.toList()) {
                Files.createDirectories(orphaned.resolve("staging"));
                Files.copy(f, orphaned.resolve("staging").resolve(f.getFileName()));
            }
        }
        assertEquals(Map.of(ino, 0L), StagingTest.stagedRecords(orphaned));
        try (WorkspaceStore s = open(orphaned)) {
            s.settle();
            try (var files = Files.list(orphaned.resolve("staging"))) {
                assertEquals(0, files.count(), "the orphan's staging file is gone");
            }
            assertTrue(s.lookup(WorkspaceStore.ROOT, "big").isEmpty());
            StoreFixture.assertConsistent(s);
        }
        assertEquals(Map.of(), StagingTest.stagedRecords(orphaned), "the orphan's record is gone");
    }

    /** An interrupted reader closes the staging file's channel: a sync must still force the file, or fail. */
    @Test
    void aSyncAfterAnInterruptClosedTheStagingFileStillForcesIt() throws Exception {
        Random r = new Random(5);
        byte[] data = StagingTest.random(r, 200_000);
        try (WorkspaceStore s = open()) {
            long ino = syncedStaged(s, "f", data);
            Throwable[] failed = new Throwable[1];
            Thread reader = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    s.read(ino, 0, new byte[4096], 0, 4096);
                } catch (Throwable e) {
                    failed[0] = e;
                }
            });
            reader.start();
            reader.join();
            assertNotNull(failed[0], "the interrupted read of the staging file fails (and closes its channel)");
            long before = StagingFile.forces.get();
            try {
                s.sync(ino);
                assertTrue(StagingFile.forces.get() > before, "a sync that succeeds forced the staging file");
            } catch (IOException e) {
                // failing the sync is right too
            }
            assertArrayEquals(data, StoreFixture.readAll(s, ino));
        }
    }
}
