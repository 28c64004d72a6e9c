package dev.semfs.bench;

import dev.semfs.versioning.Change;
import dev.semfs.versioning.FileType;
import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.WorkspaceStore;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Sequential write then reads of one file through the store, timed per phase; for profiling. */
public final class SeqProbe {
    public static void main(String[] args) throws Exception {
        int mib = Integer.parseInt(args[1]);
        byte[] data = new byte[mib << 20];
        new SplittableRandom(42).nextBytes(data);
        try (WorkspaceStore s = WorkspaceStore.open(Path.of(args[0]), StoreOptions.defaults())) {
            long ino = s.create(WorkspaceStore.ROOT, "big", FileType.FILE, 0644, 0, 0, null, Change.of("p", "/big")).ino();
            for (int r = 0; r < 3; r++) {
                double w = StoreBench.time(() -> StoreBench.storeWrite(s, ino, data));
                double rd = StoreBench.time(() -> StoreBench.storeRead(s, ino, data.length));
                System.out.printf("write %.0f MB/s, read %.0f MB/s%n", data.length / 1e6 / w, data.length / 1e6 / rd);
            }
        }
    }
}
