package dev.semfs.versioning.internal;

import dev.semfs.versioning.Change;
import dev.semfs.versioning.CheckReport;
import dev.semfs.versioning.FileType;
import dev.semfs.versioning.Inode;
import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Helpers shared by the store's tests: a real RocksDB store in a temporary directory. */
final class StoreFixture {
    private StoreFixture() {}

    static WorkspaceStore open(Path dir) throws IOException {
        return WorkspaceStore.open(dir, StoreOptions.defaults().withAvgChunkSize(8 * 1024));
    }

    static WorkspaceStore open(Path dir, Clock clock) throws IOException {
        return WorkspaceStore.open(dir, StoreOptions.defaults().withAvgChunkSize(8 * 1024).withClock(clock));
    }

    static Change change(String path) {
        return Change.of("tester", path);
    }

    static Inode file(WorkspaceStore s, String name) throws IOException {
        return s.create(WorkspaceStore.ROOT, name, FileType.FILE, 0644, 0, 0, null, change("/" + name));
    }

    static void write(WorkspaceStore s, long ino, long off, byte[] data) throws IOException {
        s.write(ino, off, data, 0, data.length, change("#" + ino));
    }

    static byte[] readAll(WorkspaceStore s, long ino) throws IOException {
        int size = (int) s.stat(ino).size();
        byte[] out = new byte[size];
        int pos = 0;
        while (pos < size) {
            int n = s.read(ino, pos, out, pos, Math.min(100_000, size - pos));
            if (n <= 0) throw new AssertionError("short read at " + pos + " of " + size);
            pos += n;
        }
        return out;
    }

    static byte[] readVersion(WorkspaceStore s, long ino, long v) throws IOException {
        int size = (int) s.version(ino, v).size();
        byte[] out = new byte[size];
        int pos = 0;
        while (pos < size) {
            int n = s.readVersion(ino, v, pos, out, pos, size - pos);
            if (n <= 0) throw new AssertionError("short version read at " + pos);
            pos += n;
        }
        return out;
    }

    static void assertConsistent(WorkspaceStore s) throws IOException {
        CheckReport r = s.check();
        assertTrue(r.ok(), () -> "store check failed: " + r.problems());
    }
}
