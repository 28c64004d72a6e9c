package dev.semfs.bench;

import dev.semfs.versioning.Change;
import dev.semfs.versioning.FileType;
import dev.semfs.versioning.GcReport;
import dev.semfs.versioning.Inode;
import dev.semfs.versioning.RetentionPolicy;
import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.VersionKind;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The store benchmark: sequential write and read of a large file, random 4 KiB writes, a sequential
 * write with one fsync before its close (as {@code dd conv=fsync}), each as a
 * ratio to the same work on the native file system in the same run (medians of repeated runs);
 * the storage cost of many small edits of one file; garbage collection time.
 *
 * <p>Usage: {@code StoreBench [--size-mib N] [--runs R] [--versions V] [--dir DIR]}.
 */
public final class StoreBench {
    private static final int BLOCK = 128 * 1024;

    public static void main(String[] args) throws Exception {
        int sizeMib = 1024, runs = 3, versions = 1000;
        Path base = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size-mib" -> sizeMib = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--versions" -> versions = Integer.parseInt(args[++i]);
                case "--dir" -> base = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (base == null) base = Files.createTempDirectory("semfs-bench");
        run(base, sizeMib, runs, versions, System.out);
    }

    public static void run(Path base, int sizeMib, int runs, int versions, PrintStream out) throws Exception {
        Files.createDirectories(base);
        long size = (long) sizeMib << 20;
        out.printf("# semfs store benchmark%n%n%d MiB file, %d runs (median), %d cores, Java %s, avg chunk %d KiB%n%n",
                sizeMib, runs, Runtime.getRuntime().availableProcessors(), Runtime.version(), StoreOptions.DEFAULT_AVG_CHUNK / 1024);
        byte[] data = new byte[(int) Math.min(size, Integer.MAX_VALUE - 8)];
        new SplittableRandom(42).nextBytes(data); // incompressible, and no two chunks alike
        // native write, semfs write, native read, semfs read (MB/s), semfs write + close + chunked (MB/s), chunking after close (s),
        // native second read, semfs second read (MB/s)
        List<double[]> seq = new ArrayList<>();
        List<double[]> rnd = new ArrayList<>(); // native, semfs (writes/s), chunking after close (s)
        List<double[]> synced = new ArrayList<>(); // native, semfs write + fsync + close (MB/s), chunking after close (s)
        for (int r = 0; r < runs; r++) {
            Path nativeFile = base.resolve("native-" + r);
            Path storeDir = base.resolve("store-" + r);
            // Each store step right after the same native step, so both meet the same state of the
            // page cache and of the kernel's write-back of what was just written. The fsync pair
            // comes first, in a store of its own: after the gigabytes of the steps below, writes
            // on this machine were throttled by turns, a second on one side or the other.
            Path nativeSynced = base.resolve("native-synced-" + r);
            Path syncedDir = base.resolve("store-synced-" + r);
            double nws = mbps(size, time(() -> nativeWriteFsync(nativeSynced, data)));
            try (WorkspaceStore s = WorkspaceStore.open(syncedDir, StoreOptions.defaults())) {
                long ino = s.create(WorkspaceStore.ROOT, "synced", FileType.FILE, 0644, 0, 0, null, Change.of("bench", "/synced")).ino();
                double sws = mbps(size, time(() -> storeWriteFsync(s, ino, data)));
                synced.add(new double[]{nws, sws, time(s::settle)});
            }
            deleteTree(syncedDir);
            Files.deleteIfExists(nativeSynced);
            double nw = mbps(size, time(() -> nativeWrite(nativeFile, data)));
            try (WorkspaceStore s = WorkspaceStore.open(storeDir, StoreOptions.defaults())) {
                long ino = s.create(WorkspaceStore.ROOT, "big", FileType.FILE, 0644, 0, 0, null, Change.of("bench", "/big")).ino();
                double swTime = time(() -> storeWrite(s, ino, data));
                // Closed writes are chunked in the background; settle finishes that work now.
                double chunkTime = time(s::settle);
                double sw = mbps(size, swTime);
                double nr = mbps(size, time(() -> nativeRead(nativeFile, size)));
                double sr = mbps(size, time(() -> storeRead(s, ino, size)));
                double nr2 = mbps(size, time(() -> nativeRead(nativeFile, size)));
                double sr2 = mbps(size, time(() -> storeRead(s, ino, size)));
                seq.add(new double[]{nw, sw, nr, sr, mbps(size, swTime + chunkTime), chunkTime, nr2, sr2});
                int writes = 20_000;
                double nrw = writes / time(() -> nativeRandomWrites(nativeFile, size, writes));
                double srw = writes / time(() -> storeRandomWrites(s, ino, size, writes));
                double rchunk = time(s::settle);
                rnd.add(new double[]{nrw, srw, rchunk});
            }
            deleteTree(storeDir);
            Files.deleteIfExists(nativeFile);
        }
        double[] m = medians(seq);
        double[] rw = medians(rnd);
        double[] sy = medians(synced);
        out.println("| work | native | semfs store | ratio of medians | ratio in each run |");
        out.println("|---|---|---|---|---|");
        out.printf("| sequential write %d MiB, 128 KiB blocks, then close | %.0f MB/s | %.0f MB/s | %.2f | %s |%n", sizeMib, m[0], m[1], m[1] / m[0], ratios(seq, 1, 0));
        out.printf("| sequential read %d MiB, 128 KiB blocks, first read after the write | %.0f MB/s | %.0f MB/s | %.2f | %s |%n", sizeMib, m[2], m[3], m[3] / m[2], ratios(seq, 3, 2));
        out.printf("| sequential read %d MiB, 128 KiB blocks, second read | %.0f MB/s | %.0f MB/s | %.2f | %s |%n", sizeMib, m[6], m[7], m[7] / m[6], ratios(seq, 7, 6));
        out.printf("| random 4 KiB writes in the file, then close | %.0f /s | %.0f /s | %.2f | %s |%n", rw[0], rw[1], rw[1] / rw[0], ratios(rnd, 1, 0));
        out.printf("| sequential write %d MiB, 128 KiB blocks, then fsync and close | %.0f MB/s | %.0f MB/s | %.2f | %s |%n", sizeMib, sy[0], sy[1], sy[1] / sy[0], ratios(synced, 1, 0));
        out.println();
        out.println("Chunking of closed writes runs in the background after close:");
        out.println();
        out.println("| after close | semfs store |");
        out.println("|---|---|");
        out.printf("| sequential write: chunking still to do after close | %.2f s |%n", m[5]);
        out.printf("| sequential write + close + chunking, sustained | %.0f MB/s (%.2f of native write) |%n", m[4], m[4] / m[0]);
        out.printf("| random writes: chunking still to do after close | %.2f s |%n", rw[2]);
        out.printf("| sequential write + fsync + close: chunking still to do after close | %.2f s |%n", sy[2]);
        out.println();
        versionCost(base.resolve("versions"), versions, out);
    }

    /** 10 MiB file, then {@code versions - 1} versions of one 4 KiB edit at a random offset each. */
    static void versionCost(Path dir, int versions, PrintStream out) throws Exception {
        int fileSize = 10 << 20;
        byte[] content = new byte[fileSize];
        new SplittableRandom(7).nextBytes(content);
        Random rnd = new Random(7);
        try (WorkspaceStore s = WorkspaceStore.open(dir, StoreOptions.defaults())) {
            long ino = s.create(WorkspaceStore.ROOT, "doc", FileType.FILE, 0644, 0, 0, null, Change.of("bench", "/doc")).ino();
            Change ch = Change.of("bench", "/doc");
            s.write(ino, 0, content, 0, content.length, ch);
            s.commit(ino, VersionKind.WRITE, ch);
            s.settle(); // chunks it now rather than in the background
            s.gc(RetentionPolicy.keepAll()); // compacts: a fair starting size
            long first = s.stats().diskBytes();
            long chunkBytesFirst = s.stats().chunkBytes();
            byte[] edit = new byte[4096];
            long t0 = System.nanoTime();
            for (int v = 2; v <= versions; v++) {
                rnd.nextBytes(edit);
                s.write(ino, rnd.nextInt(fileSize - edit.length), edit, 0, edit.length, ch);
                s.commit(ino, VersionKind.WRITE, ch);
            }
            double perVersionMs = (System.nanoTime() - t0) / 1e6 / (versions - 1);
            s.gc(RetentionPolicy.keepAll());
            long last = s.stats().diskBytes();
            long chunkBytesLast = s.stats().chunkBytes();
            double growth = (double) (last - first) / (versions - 1);
            double chunkGrowth = (double) (chunkBytesLast - chunkBytesFirst) / (versions - 1);
            out.printf("| %d versions of a 10 MiB file, one 4 KiB edit each | |%n", versions);
            out.println("|---|---|");
            out.printf("| store on disk after version 1 | %.1f MiB |%n", first / 1048576.0);
            out.printf("| store on disk after version %d | %.1f MiB |%n", versions, last / 1048576.0);
            out.printf("| growth per version, on disk | %.1f KiB (%.2f x the %d KiB average chunk; target <= 2) |%n",
                    growth / 1024, growth / StoreOptions.DEFAULT_AVG_CHUNK, StoreOptions.DEFAULT_AVG_CHUNK / 1024);
            out.printf("| growth per version, chunk bytes only | %.1f KiB |%n", chunkGrowth / 1024);
            out.printf("| time per edit + version | %.2f ms |%n", perVersionMs);
            GcReport gc = s.gc(RetentionPolicy.keepLast(1));
            out.printf("| gc keeping the last version: time | %.0f ms (%d versions dropped, %d chunks, %.1f MiB reclaimed) |%n",
                    gc.durationNanos() / 1e6, gc.versionsDropped(), gc.chunksDeleted(), gc.bytesReclaimed() / 1048576.0);
            out.printf("| store on disk after gc | %.1f MiB |%n", s.stats().diskBytes() / 1048576.0);
            if (!s.check().ok()) throw new IllegalStateException("store check failed after the benchmark");
        }
        deleteTree(dir);
    }

    interface Work { void run() throws Exception; }

    /**
     * Times one step. The garbage of earlier steps is collected first, so that no step pays for
     * the collector's work on another's (the chunking's own collections stay in its time).
     */
    static double time(Work w) throws Exception {
        System.gc();
        long t0 = System.nanoTime();
        w.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    static double mbps(long bytes, double seconds) {
        return bytes / 1e6 / seconds;
    }

    static String ratios(List<double[]> rows, int num, int den) {
        StringBuilder b = new StringBuilder();
        for (double[] r : rows) b.append(b.isEmpty() ? "" : ", ").append(String.format("%.2f", r[num] / r[den]));
        return b.toString();
    }

    static double[] medians(List<double[]> rows) {
        double[] m = new double[rows.getFirst().length];
        for (int c = 0; c < m.length; c++) {
            int col = c;
            double[] v = rows.stream().mapToDouble(r -> r[col]).sorted().toArray();
            m[c] = v[v.length / 2];
        }
        return m;
    }

    static void nativeWrite(Path file, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int pos = 0; pos < data.length; pos += BLOCK) ch.write(ByteBuffer.wrap(data, pos, Math.min(BLOCK, data.length - pos)));
        }
    }

    /** What {@code dd conv=fsync} does: write, one fsync, close. */
    static void nativeWriteFsync(Path file, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int pos = 0; pos < data.length; pos += BLOCK) ch.write(ByteBuffer.wrap(data, pos, Math.min(BLOCK, data.length - pos)));
            ch.force(true);
        }
    }

    static void nativeRead(Path file, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BLOCK);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long total = 0;
            while (total < size) {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) break;
                total += n;
            }
        }
    }

    static void storeWrite(WorkspaceStore s, long ino, byte[] data) throws IOException {
        Change ch = Change.of("bench", "/big");
        for (int pos = 0; pos < data.length; pos += BLOCK) s.write(ino, pos, data, pos, Math.min(BLOCK, data.length - pos), ch);
        s.commit(ino, VersionKind.WRITE, ch);
    }

    static void storeWriteFsync(WorkspaceStore s, long ino, byte[] data) throws IOException {
        Change ch = Change.of("bench", "/synced");
        for (int pos = 0; pos < data.length; pos += BLOCK) s.write(ino, pos, data, pos, Math.min(BLOCK, data.length - pos), ch);
        s.sync(ino);
        s.commit(ino, VersionKind.WRITE, ch);
    }

    static void storeRead(WorkspaceStore s, long ino, long size) throws IOException {
        byte[] buf = new byte[BLOCK];
        for (long pos = 0; pos < size; pos += BLOCK) s.read(ino, pos, buf, 0, BLOCK);
    }

    static void nativeRandomWrites(Path file, long size, int n) throws IOException {
        Random r = new Random(1);
        byte[] block = new byte[4096];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (int i = 0; i < n; i++) {
                r.nextBytes(block);
                ch.write(ByteBuffer.wrap(block), (r.nextLong(size / 4096)) * 4096);
            }
        }
    }

    static void storeRandomWrites(WorkspaceStore s, long ino, long size, int n) throws IOException {
        Random r = new Random(1);
        byte[] block = new byte[4096];
        Change ch = Change.of("bench", "/big");
        for (int i = 0; i < n; i++) {
            r.nextBytes(block);
            s.write(ino, (r.nextLong(size / 4096)) * 4096, block, 0, block.length, ch);
        }
        s.commit(ino, VersionKind.WRITE, ch);
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static String fmt(double[] a) {
        return Arrays.toString(a);
    }
}
