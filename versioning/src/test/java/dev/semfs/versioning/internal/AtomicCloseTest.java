package dev.semfs.versioning.internal;

import dev.semfs.versioning.Change;
import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.VersionKind;
import dev.semfs.versioning.VersionRecord;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A close is all or nothing: what a kill right after any batch of a close (or of a whole-file
 * replace) leaves on disk is either the file before it, with its newest version, or the file
 * after it with the version of it. Each batch's end is caught as a copy of the store's files,
 * as a kill would leave them, and each copy is opened and checked.
 */
class AtomicCloseTest {
    @TempDir Path dir;

    private static StoreOptions options() {
        return new StoreOptions(Clock.systemUTC(), 4096, 16 * 1024);
    }

    /** Copies of the store after each batch written while {@code work} runs. */
    private List<Path> imagesDuring(WorkspaceStore s, Path store, StoreWork work) throws Exception {
        List<Path> images = new ArrayList<>();
        ((RocksWorkspaceStore) s).onBatch(() -> {
            Path image = dir.resolve("image-" + images.size());
            try {
                StagingTest.crashImage(s, store, image);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            images.add(image);
        });
        try {
            work.run();
        } finally {
            ((RocksWorkspaceStore) s).onBatch(null);
        }
        return images;
    }

    @FunctionalInterface
    interface StoreWork {
        void run() throws Exception;
    }

    /** Opens each image: the file is {@code before} with its newest version, or {@code after} with its own. */
    private static void assertBeforeOrAfter(List<Path> images, String name, byte[] before, byte[] after) throws IOException {
        assertFalse(images.isEmpty(), "no batch was written");
        for (Path image : images) {
            try (WorkspaceStore s = WorkspaceStore.open(image, options())) {
                long ino = s.lookup(WorkspaceStore.ROOT, name).orElseThrow().ino();
                byte[] live = StoreFixture.readAll(s, ino);
                VersionRecord newest = s.versions(ino).getLast();
                byte[] version = StoreFixture.readVersion(s, ino, newest.number());
                assertTrue(Arrays.equals(live, before) || Arrays.equals(live, after),
                        "a kill after a batch of the close left content that is neither before nor after it (" + image.getFileName() + ")");
                assertArrayEquals(live, version, "a kill after a batch of the close left the file without the version of its content ("
                        + image.getFileName() + ")");
            }
        }
    }

    @Test
    void aCloseOfBufferedWritesIsOneBatchWithItsVersion() throws Exception {
        Path store = dir.resolve("store");
        Random r = new Random(7);
        byte[] before = StagingTest.random(r, 9000);
        byte[] after = before.clone();
        byte[] edit = StagingTest.random(r, 700);
        System.arraycopy(edit, 0, after, 3000, edit.length);
        try (WorkspaceStore s = WorkspaceStore.open(store, options())) {
            Change ch = Change.of("agent", "/f");
            long ino = s.create(WorkspaceStore.ROOT, "f", dev.semfs.versioning.FileType.FILE, 0644, 0, 0, null, ch).ino();
            s.write(ino, 0, before, 0, before.length, ch);
            s.commit(ino, VersionKind.WRITE, ch).orElseThrow();
            s.write(ino, 3000, edit, 0, edit.length, ch); // buffered: far below the in-memory limit
            List<Path> images = imagesDuring(s, store, () -> s.commit(ino, VersionKind.WRITE, ch).orElseThrow());
            assertBeforeOrAfter(images, "f", before, after);
        }
    }

    @Test
    void aReplaceOfAWholeFileIsOneBatchWithItsVersion() throws Exception {
        Path store = dir.resolve("store");
        Random r = new Random(8);
        byte[] before = StagingTest.random(r, 50_000);
        byte[] after = StagingTest.random(r, 1200);
        try (WorkspaceStore s = WorkspaceStore.open(store, options())) {
            Change ch = Change.of("agent", "/f");
            long ino = s.create(WorkspaceStore.ROOT, "f", dev.semfs.versioning.FileType.FILE, 0644, 0, 0, null, ch).ino();
            s.replace(ino, before, false, ch);
            List<Path> images = imagesDuring(s, store, () -> s.replace(ino, after, false, ch));
            assertBeforeOrAfter(images, "f", before, after);
            assertArrayEquals(after, StoreFixture.readAll(s, ino));
        }
    }
}
