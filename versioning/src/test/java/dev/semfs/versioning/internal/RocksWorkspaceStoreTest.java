package dev.semfs.versioning.internal;

import dev.semfs.versioning.ChangeRecord;
import dev.semfs.versioning.FileType;
import dev.semfs.versioning.Inode;
import dev.semfs.versioning.PathVersion;
import dev.semfs.versioning.RetentionPolicy;
import dev.semfs.versioning.StoreStats;
import dev.semfs.versioning.VersionKind;
import dev.semfs.versioning.VersionRecord;
import dev.semfs.versioning.WorkspaceStore;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.semfs.versioning.internal.StoreFixture.*;
import static org.junit.jupiter.api.Assertions.*;

class RocksWorkspaceStoreTest {
    @TempDir Path dir;

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @FunctionalInterface
    private interface Step {
        void run(int i) throws Exception;
    }

    /**
     * Runs {@code write} for 0 to n-1 while two threads run {@code read} on the same i over and
     * over: a race of each first read (the caches are empty after a reopen) with its batch.
     */
    private static void race(int n, Step read, Step write) throws Exception {
        java.util.concurrent.atomic.AtomicInteger current = new java.util.concurrent.atomic.AtomicInteger(-1);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
        List<Thread> readers = new java.util.ArrayList<>();
        for (int t = 0; t < 2; t++) {
            readers.add(Thread.ofPlatform().start(() -> {
                try {
                    while (!done.get()) {
                        int c = current.get();
                        if (c >= 0) read.run(c);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        try {
            for (int i = 0; i < n; i++) {
                current.set(i);
                write.run(i);
            }
        } finally {
            done.set(true);
            for (Thread t : readers) t.join();
        }
        assertTrue(errors.isEmpty(), () -> "reader failed: " + errors.peek());
    }

    /**
     * Inode records are cached in front of the key-value store: a stat racing a batch may read
     * the record from before it, but must never put that into the cache after the batch, where
     * the writer's own next stat would find it.
     */
    @Test
    void aStatRacingALinkNeverLeavesTheOldRecordCached() throws Exception {
        int n = 3000;
        long[] inos = new long[n];
        try (WorkspaceStore s = open(dir)) {
            for (int i = 0; i < n; i++) inos[i] = file(s, "f" + i).ino();
        }
        try (WorkspaceStore s = open(dir)) {
            race(n, i -> s.stat(inos[i]), i -> {
                s.link(inos[i], WorkspaceStore.ROOT, "l" + i, change("/l" + i));
                assertEquals(2, s.stat(inos[i]).nlink(), "links of f" + i + " after its link");
            });
        }
    }

    /** The same for directory entries, present (unlink) and absent (create) ones. */
    @Test
    void aLookupRacingACreateOrUnlinkNeverLeavesTheOldEntryCached() throws Exception {
        int n = 2000;
        try (WorkspaceStore s = open(dir)) {
            for (int i = 0; i < n; i++) file(s, "old" + i);
        }
        try (WorkspaceStore s = open(dir)) {
            race(n, i -> {
                s.lookup(WorkspaceStore.ROOT, "new" + i);
                try {
                    s.lookup(WorkspaceStore.ROOT, "old" + i);
                } catch (NoSuchFileException unlinkedMeanwhile) {
                    // found the entry, then the node was gone: as good as not found
                }
            }, i -> {
                file(s, "new" + i);
                s.unlink(WorkspaceStore.ROOT, "old" + i, change("/old" + i));
                assertTrue(s.lookup(WorkspaceStore.ROOT, "new" + i).isPresent(), "new" + i + " after its create");
                assertTrue(s.lookup(WorkspaceStore.ROOT, "old" + i).isEmpty(), "old" + i + " after its unlink");
            });
        }
    }

    /**
     * stat of a file whose buffered writes another thread is flushing into a version must not
     * report the size from before those writes (the FUSE mount's page cache takes that size as
     * the end of file: a file just written read back empty).
     */
    @Test
    void statNeverGoesBackWhileAnotherThreadCommits() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "f");
            long ino = f.ino();
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    while (!done.get()) {
                        long before = written.get();
                        long size = s.stat(ino).size();
                        if (size < before) failure.compareAndSet(null, "stat said " + size + " after " + before + " bytes were written");
                    }
                } catch (java.io.IOException e) {
                    failure.compareAndSet(null, e.toString());
                }
            });
            reader.start();
            try {
                for (int i = 1; i <= 1500 && failure.get() == null; i++) {
                    write(s, ino, i - 1, new byte[] {(byte) i});
                    written.set(i);
                    s.commit(ino, VersionKind.WRITE, change("/f"));
                }
            } finally {
                done.set(true);
                reader.join();
            }
            assertNull(failure.get(), failure.get());
        }
    }

    @Test
    void twoFilesSharingContentStoreItOnce() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            byte[] data = random(1, 1 << 20);
            Inode a = file(s, "a");
            Inode b = file(s, "b");
            write(s, a.ino(), 0, data);
            s.commit(a.ino(), VersionKind.WRITE, change("/a"));
            long chunksAfterOne = s.check().chunks();
            write(s, b.ino(), 0, data);
            s.commit(b.ino(), VersionKind.WRITE, change("/b"));
            assertEquals(chunksAfterOne, s.check().chunks(), "identical content must add no chunk");
            assertArrayEquals(data, readAll(s, b.ino()));
            assertConsistent(s);
        }
    }

    @Test
    void randomWritesTruncatesAndHolesMatchAReferenceArray() throws Exception {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        byte[] ref = new byte[0];
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "f");
            for (int op = 0; op < 3000; op++) {
                int kind = rnd.nextInt(10);
                if (kind < 6) {
                    int off = rnd.nextInt(ref.length + 200_000);
                    int len = 1 + rnd.nextInt(rnd.nextBoolean() ? 100 : 40_000);
                    byte[] data = new byte[len];
                    rnd.nextBytes(data);
                    write(s, f.ino(), off, data);
                    if (off + len > ref.length) ref = Arrays.copyOf(ref, off + len);
                    System.arraycopy(data, 0, ref, off, len);
                } else if (kind < 8) {
                    int size = rnd.nextInt(ref.length + 100_000);
                    s.truncate(f.ino(), size, change("/f"));
                    ref = Arrays.copyOf(ref, size);
                } else if (kind < 9) {
                    s.sync(f.ino());
                } else {
                    s.commit(f.ino(), VersionKind.WRITE, change("/f"));
                }
                if (op % 100 == 0 || op == 2999) {
                    assertEquals(ref.length, s.stat(f.ino()).size(), "size after op " + op + ", seed " + seed);
                    assertArrayEquals(ref, readAll(s, f.ino()), "content after op " + op + ", seed " + seed);
                    int off = rnd.nextInt(ref.length + 1);
                    byte[] part = new byte[rnd.nextInt(5000)];
                    int n = s.read(f.ino(), off, part, 0, part.length);
                    assertEquals(Math.min(part.length, ref.length - off), n, "partial read length, seed " + seed);
                    assertArrayEquals(Arrays.copyOfRange(ref, off, off + n), Arrays.copyOf(part, n), "partial read, seed " + seed);
                }
            }
            assertConsistent(s);
            s.commit(f.ino(), VersionKind.WRITE, change("/f"));
        }
        try (WorkspaceStore s = open(dir)) { // survives reopen: content read back from the stored pages
            assertArrayEquals(ref, readAll(s, fileIno(s)), "content after reopen, seed " + seed);
            long last = s.stat(fileIno(s)).latestVersion();
            assertArrayEquals(ref, readVersion(s, fileIno(s), last), "newest version after reopen, seed " + seed);
            assertConsistent(s);
        }
    }

    private static long fileIno(WorkspaceStore s) throws java.io.IOException {
        return s.lookup(WorkspaceStore.ROOT, "f").orElseThrow().ino();
    }

    @Test
    void aLargeFileWrittenInManyFlushesReadsBackAfterReopen() throws Exception {
        byte[] data = random(11, 24 << 20); // ~3,000 chunks of 8 KiB: dozens of pages, several flushes
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "f");
            for (int pos = 0; pos < data.length; pos += 128 * 1024) {
                s.write(f.ino(), pos, data, pos, Math.min(128 * 1024, data.length - pos), change("/f"));
            }
            s.commit(f.ino(), VersionKind.WRITE, change("/f"));
            byte[] edit = random(12, 4096);
            write(s, f.ino(), 10_000_000, edit);
            System.arraycopy(edit, 0, data, 10_000_000, edit.length);
            s.commit(f.ino(), VersionKind.WRITE, change("/f"));
        }
        try (WorkspaceStore s = open(dir)) {
            assertArrayEquals(data, readAll(s, fileIno(s)));
            assertConsistent(s);
        }
    }

    @Test
    void sparseFileReadsZerosInItsHoleAndStoresNoChunkForIt() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "sparse");
            write(s, f.ino(), 1L << 40, new byte[]{1, 2, 3});
            s.commit(f.ino(), VersionKind.WRITE, change("/sparse"));
            assertEquals((1L << 40) + 3, s.stat(f.ino()).size());
            byte[] buf = new byte[10];
            assertEquals(10, s.read(f.ino(), 1L << 39, buf, 0, 10));
            assertArrayEquals(new byte[10], buf);
            assertEquals(3, s.read(f.ino(), 1L << 40, buf, 0, 10));
            assertEquals(1, s.check().chunks());
            assertConsistent(s);
        }
    }

    @Test
    void aThousandVersionsOfOneFileEachReadable() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "doc");
            byte[] content = random(7, 64 * 1024);
            Random rnd = new Random(7);
            byte[][] expected = new byte[1001][];
            write(s, f.ino(), 0, content);
            assertEquals(1, s.commit(f.ino(), VersionKind.WRITE, change("/doc")).orElseThrow().number());
            expected[1] = content.clone();
            for (int v = 2; v <= 1000; v++) {
                int off = rnd.nextInt(content.length - 16);
                byte[] edit = random(v, 16);
                System.arraycopy(edit, 0, content, off, 16);
                write(s, f.ino(), off, edit);
                VersionRecord rec = s.commit(f.ino(), VersionKind.WRITE, change("/doc")).orElseThrow();
                assertEquals(v, rec.number());
                expected[v] = content.clone();
            }
            assertEquals(1000, s.versions(f.ino()).size());
            for (int v : new int[]{1, 2, 500, 999, 1000}) assertArrayEquals(expected[v], readVersion(s, f.ino(), v), "version " + v);
            assertFalse(s.commit(f.ino(), VersionKind.WRITE, change("/doc")).isPresent(), "an unchanged file cuts no version");
            assertConsistent(s);
        }
    }

    @Test
    void restoreVersionIsANewVersionAndCanBeUndone() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "f");
            write(s, f.ino(), 0, "one".getBytes());
            s.commit(f.ino(), VersionKind.WRITE, change("/f"));
            s.truncate(f.ino(), 0, change("/f"));
            write(s, f.ino(), 0, "two".getBytes());
            s.commit(f.ino(), VersionKind.WRITE, change("/f"));
            VersionRecord r = s.restoreVersion(f.ino(), f.ino(), 1, VersionKind.ROLLBACK, change("/f"));
            assertEquals(3, r.number());
            assertEquals("one", new String(readAll(s, f.ino())));
            s.restoreVersion(f.ino(), f.ino(), 2, VersionKind.ROLLBACK, change("/f"));
            assertEquals("two", new String(readAll(s, f.ino())));
            assertEquals(4, s.versions(f.ino()).size());
            assertConsistent(s);
        }
    }

    @Test
    void rollbackKeepsUncommittedWorkAsAVersion() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "f");
            write(s, f.ino(), 0, "saved".getBytes());
            s.commit(f.ino(), VersionKind.WRITE, change("/f"));
            write(s, f.ino(), 0, "dirty".getBytes());
            s.restoreVersion(f.ino(), f.ino(), 1, VersionKind.ROLLBACK, change("/f"));
            List<VersionRecord> vs = s.versions(f.ino());
            assertEquals(3, vs.size());
            assertEquals("dirty", new String(readVersion(s, f.ino(), 2)));
            assertEquals("saved", new String(readAll(s, f.ino())));
        }
    }

    @Test
    void deletedFileKeepsItsHistoryAndComesBack() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "gone");
            write(s, f.ino(), 0, "precious".getBytes());
            s.unlink(WorkspaceStore.ROOT, "gone", change("/gone"));
            assertTrue(s.lookup(WorkspaceStore.ROOT, "gone").isEmpty());
            List<dev.semfs.versioning.PathVersion> h = s.pathHistory("/gone");
            assertEquals(2, h.size());
            assertTrue(h.get(1).isGone());
            assertEquals(f.ino(), h.get(0).ino());
            List<VersionRecord> vs = s.versions(f.ino());
            assertEquals(2, vs.size());
            assertTrue(vs.get(1).isTombstone());
            assertEquals("precious", new String(readVersion(s, f.ino(), 1)));
            Inode back = s.revive(f.ino(), 1, WorkspaceStore.ROOT, "gone", VersionKind.ROLLBACK, change("/gone"));
            assertEquals(f.ino(), back.ino(), "a deleted node comes back as itself");
            assertEquals("precious", new String(readAll(s, back.ino())));
            assertConsistent(s);
        }
    }

    @Test
    void aRevivedNodeShowsTheRevivedContentNotWhatItHadWhenDeleted() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "f");
            write(s, f.ino(), 0, "first".getBytes());
            s.commit(f.ino(), VersionKind.WRITE, change("/f"));
            s.truncate(f.ino(), 0, change("/f"));
            write(s, f.ino(), 0, "second".getBytes());
            assertEquals("second", new String(readAll(s, f.ino()))); // content now cached in memory
            s.unlink(WorkspaceStore.ROOT, "f", change("/f"));
            Inode back = s.revive(f.ino(), 1, WorkspaceStore.ROOT, "f", VersionKind.ROLLBACK, change("/f"));
            assertEquals(f.ino(), back.ino());
            assertEquals("first", new String(readAll(s, f.ino())));
            assertConsistent(s);
        }
    }

    @Test
    void unlinkedOpenFileStaysReadableUntilReleased() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "tmp");
            write(s, f.ino(), 0, "still here".getBytes());
            s.retain(f.ino());
            s.unlink(WorkspaceStore.ROOT, "tmp", change("/tmp"));
            assertEquals("still here", new String(readAll(s, f.ino())));
            s.release(f.ino());
            assertThrows(NoSuchFileException.class, () -> s.stat(f.ino()));
            assertConsistent(s);
        }
    }

    @Test
    void aStoreOfAnotherFormatIsRefusedWithAPlainMessage() throws Exception {
        try (org.rocksdb.Options o = new org.rocksdb.Options().setCreateIfMissing(true);
             org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(o, dir.toString())) {
            db.createColumnFamily(new org.rocksdb.ColumnFamilyDescriptor("chunks".getBytes())).close();
        }
        var e = assertThrows(dev.semfs.errors.SemfsException.class, () -> open(dir));
        assertTrue(e.getMessage().contains("another semfs format"), e.getMessage());
    }

    @Test
    void anOlderFormatIsUpgradedOnOpenAndANewerOneRefused() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            file(s, "kept");
        }
        setFormatByte((byte) 1);
        try (WorkspaceStore s = open(dir)) {
            assertTrue(s.lookup(WorkspaceStore.ROOT, "kept").isPresent());
        }
        assertEquals(RocksWorkspaceStore.FORMAT, formatByte(), "format 1 is upgraded on open, so a format-1 build refuses it from now on");
        setFormatByte((byte) 2);
        try (WorkspaceStore s = open(dir)) {
            assertTrue(s.lookup(WorkspaceStore.ROOT, "kept").isPresent());
        }
        assertEquals(3, formatByte(), "format 2 too: a format-2 build would misread a staged record without a version");
        setFormatByte((byte) (RocksWorkspaceStore.FORMAT + 1));
        var e = assertThrows(dev.semfs.errors.SemfsException.class, () -> open(dir));
        assertTrue(e.getMessage().contains("store format " + (RocksWorkspaceStore.FORMAT + 1) + " is not readable"), e.getMessage());
    }

    /** The store's format byte, read with plain RocksDB (the meta column family is the default one). */
    private byte formatByte() throws Exception {
        return rawMeta(null);
    }

    private void setFormatByte(byte b) throws Exception {
        rawMeta(b);
    }

    private byte rawMeta(Byte set) throws Exception {
        java.util.List<byte[]> names;
        try (org.rocksdb.Options o = new org.rocksdb.Options()) {
            names = org.rocksdb.RocksDB.listColumnFamilies(o, dir.toString());
        }
        java.util.List<org.rocksdb.ColumnFamilyDescriptor> cfs = names.stream().map(org.rocksdb.ColumnFamilyDescriptor::new).toList();
        java.util.List<org.rocksdb.ColumnFamilyHandle> handles = new java.util.ArrayList<>();
        try (org.rocksdb.DBOptions o = new org.rocksdb.DBOptions();
             org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(o, dir.toString(), cfs, handles)) {
            try {
                byte[] key = "format".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (set != null) db.put(key, new byte[]{set});
                return db.get(key)[0];
            } finally {
                handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
            }
        }
    }

    @Test
    void namespaceErrorsAreTheNioOnes() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            file(s, "a");
            assertThrows(FileAlreadyExistsException.class, () -> file(s, "a"));
            Inode d = s.create(WorkspaceStore.ROOT, "d", FileType.DIRECTORY, 0755, 0, 0, null, change("/d"));
            s.create(d.ino(), "x", FileType.FILE, 0644, 0, 0, null, change("/d/x"));
            assertThrows(DirectoryNotEmptyException.class, () -> s.rmdir(WorkspaceStore.ROOT, "d", change("/d")));
            assertThrows(NoSuchFileException.class, () -> s.unlink(WorkspaceStore.ROOT, "nope", change("/nope")));
            assertThrows(dev.semfs.errors.SemfsException.class, () -> s.rename(WorkspaceStore.ROOT, "d", d.ino(), "inside", new dev.semfs.versioning.Change("t", "api", "", "/d", "/d/inside")));
            assertThrows(dev.semfs.errors.SemfsException.class, () -> file(s, "x".repeat(300)));
            assertThrows(dev.semfs.errors.SemfsException.class, () -> file(s, ".."));
        }
    }

    @Test
    void renameOverAFileKeepsTheReplacedFilesHistory() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode a = file(s, "a");
            write(s, a.ino(), 0, "old".getBytes());
            s.commit(a.ino(), VersionKind.WRITE, change("/a"));
            Inode tmp = file(s, "a.tmp");
            write(s, tmp.ino(), 0, "new".getBytes());
            s.commit(tmp.ino(), VersionKind.WRITE, change("/a.tmp"));
            s.rename(WorkspaceStore.ROOT, "a.tmp", WorkspaceStore.ROOT, "a", new dev.semfs.versioning.Change("t", "api", "", "/a.tmp", "/a"));
            assertEquals(tmp.ino(), s.lookup(WorkspaceStore.ROOT, "a").orElseThrow().ino());
            List<dev.semfs.versioning.PathVersion> h = s.pathHistory("/a");
            assertEquals(List.of(a.ino(), a.ino(), tmp.ino()), h.stream().map(dev.semfs.versioning.PathVersion::ino).toList(),
                    "the path's history: old content, its deletion by the rename, the new content");
            assertEquals(List.of(1L, 2L, 3L), h.stream().map(dev.semfs.versioning.PathVersion::number).toList());
            assertTrue(s.pathHistory("/a.tmp").getLast().isGone());
            assertEquals("old", new String(readVersion(s, a.ino(), 1)));
            assertEquals(VersionKind.RENAME, s.versions(tmp.ino()).getLast().kind());
            assertConsistent(s);
        }
    }

    @Test
    void directoryRenameMovesDescendantHistories() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode d = s.create(WorkspaceStore.ROOT, "d", FileType.DIRECTORY, 0755, 0, 0, null, change("/d"));
            Inode x = s.create(d.ino(), "x", FileType.FILE, 0644, 0, 0, null, change("/d/x"));
            write(s, x.ino(), 0, "x".getBytes());
            s.commit(x.ino(), VersionKind.WRITE, change("/d/x"));
            s.rename(WorkspaceStore.ROOT, "d", WorkspaceStore.ROOT, "e", new dev.semfs.versioning.Change("t", "api", "", "/d", "/e"));
            assertTrue(s.latestPathVersion("/d/x").orElseThrow().isGone());
            assertEquals(x.ino(), s.latestPathVersion("/e/x").orElseThrow().ino());
            assertEquals(java.util.Set.of("/d", "/d/x"), s.pathHistoriesUnder("/d").keySet());
            assertConsistent(s);
        }
    }

    @Test
    void gcReclaimsDroppedVersionsButNeverAReferencedChunk() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "big");
            Inode keep = file(s, "keep");
            byte[] shared = random(3, 256 * 1024);
            write(s, keep.ino(), 0, shared);
            s.commit(keep.ino(), VersionKind.WRITE, change("/keep"));
            for (int v = 0; v < 20; v++) {
                s.truncate(f.ino(), 0, change("/big"));
                write(s, f.ino(), 0, shared); // shares every chunk with /keep
                write(s, f.ino(), shared.length, random(100 + v, 512 * 1024));
                s.commit(f.ino(), VersionKind.WRITE, change("/big"));
            }
            byte[] last = readAll(s, f.ino());
            long chunksBefore = s.check().chunks();
            var report = s.gc(RetentionPolicy.keepLast(2));
            assertEquals(18, report.versionsDropped());
            assertTrue(report.chunksDeleted() > 0);
            assertTrue(report.bytesReclaimed() >= 18L * 400 * 1024, "reclaimed " + report.bytesReclaimed());
            assertTrue(s.check().chunks() < chunksBefore);
            assertArrayEquals(shared, readAll(s, keep.ino()));
            assertArrayEquals(last, readAll(s, f.ino()));
            assertEquals(2, s.versions(f.ino()).size());
            assertTrue(s.stats().diskBytes() < 3 * 1024 * 1024, "packs compacted: " + s.stats().diskBytes() + " bytes on disk");
            assertConsistent(s);
        }
    }

    @Test
    void aVersionDroppedByGcIsGoneEvenIfItWasReadBefore() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "f");
            for (int v = 0; v < 3; v++) {
                s.truncate(f.ino(), 0, change("/f"));
                write(s, f.ino(), 0, random(200 + v, 64 * 1024));
                s.commit(f.ino(), VersionKind.WRITE, change("/f"));
            }
            byte[] buf = new byte[100];
            assertEquals(100, s.readVersion(f.ino(), 1, 0, buf, 0, 100)); // a reader of version 1 is now cached
            assertEquals(2, s.gc(RetentionPolicy.keepLast(1)).versionsDropped());
            assertThrows(java.nio.file.NoSuchFileException.class, () -> s.readVersion(f.ino(), 1, 0, buf, 0, 100),
                    "a dropped version read from a reader cached before the gc (its chunks may be gone)");
            assertEquals(100, s.readVersion(f.ino(), 3, 0, buf, 0, 100));
        }
    }

    @Test
    void changeLogRecordsEveryMutationInOrder() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "f");
            write(s, f.ino(), 0, "x".getBytes());
            s.commit(f.ino(), VersionKind.WRITE, change("/f"));
            s.unlink(WorkspaceStore.ROOT, "f", change("/f"));
            List<String> ops = s.changes(0, 100).stream().map(ChangeRecord::op).toList();
            assertEquals(List.of("create", "write", "delete"), ops);
            assertEquals(s.lastChangeSeq(), s.changes(0, 100).getLast().seq());
        }
        try (WorkspaceStore s = open(dir)) {
            assertEquals(3, s.lastChangeSeq(), "sequence survives reopen");
            StoreStats st = s.stats();
            assertEquals(0, st.files());
        }
    }

    @Test
    void theLatestVersionOfAPathIsNeverStaleWhileCommitsAndReadersRace() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            int files = 4;
            long[] inos = new long[files];
            for (int i = 0; i < files; i++) inos[i] = file(s, "p" + i).ino();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
            List<Thread> threads = new java.util.ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int me = w;
                threads.add(new Thread(() -> {
                    try {
                        for (int k = 0; k < 300; k++) {
                            int f = (k + me) % files;
                            write(s, inos[f], 0, new byte[] {(byte) k, (byte) me});
                            s.commit(inos[f], VersionKind.WRITE, change("/p" + f));
                        }
                    } catch (Throwable t) {
                        failed.set(t);
                    }
                }));
            }
            for (int r = 0; r < 2; r++) {
                threads.add(new Thread(() -> {
                    try {
                        while (!done.get()) for (int f = 0; f < files; f++) s.latestPathVersion("/p" + f);
                    } catch (Throwable t) {
                        failed.set(t);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads.subList(0, 2)) t.join();
            done.set(true);
            for (Thread t : threads) t.join();
            assertNull(failed.get());
            for (int f = 0; f < files; f++) {
                List<PathVersion> history = s.pathHistory("/p" + f);
                assertEquals(history.get(history.size() - 1), s.latestPathVersion("/p" + f).orElseThrow(), "/p" + f);
            }
        }
    }
}
