package dev.semfs.versioning.internal;

import dev.semfs.versioning.Change;
import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.VersionKind;
import java.time.Clock;
import java.util.Random;

/**
 * The workload of the staged crash test, run in a child JVM that the test kills with SIGKILL:
 * large writes (far past the in-memory limit, so they go to staging files) closed as versions
 * without fsync, so the kill usually lands while closed versions are still being chunked. After
 * each close returns, the step's number and version are appended to an acknowledgement file
 * (a close is a batch in the write-ahead log and a staging file in the page cache: both survive
 * the death of the process, if not of the machine).
 */
public final class StagedCrashWorkload {
    static final int FILES = 3;

    /** Small chunks and a small in-memory limit: staging and slicing show up at test sizes. */
    static StoreOptions options() {
        return new StoreOptions(Clock.systemUTC(), 4096, 16 * 1024);
    }

    /** One step: writes at {@code offsets} of {@code data} pieces into {@code file}, then a close (and maybe a sync). */
    record Step(int file, long[] offsets, byte[][] data, boolean sync) {}

    static Step step(long seed, long i) {
        Random r = new Random(seed * 1_000_003L + i);
        int file = r.nextInt(FILES);
        Pieces p = pieces(r, 6);
        return new Step(file, p.offsets(), p.data(), r.nextInt(10) == 0);
    }

    /** Writes of one step: where, and what. */
    record Pieces(long[] offsets, byte[][] data) {}

    /** 1 to {@code max} writes within the first 3 MiB, each either small or 64 KiB to 1 MiB. */
    static Pieces pieces(Random r, int max) {
        int n = 1 + r.nextInt(max);
        long[] offsets = new long[n];
        byte[][] data = new byte[n][];
        for (int k = 0; k < n; k++) {
            offsets[k] = r.nextInt(3 << 20);
            data[k] = new byte[r.nextBoolean() ? 1 + r.nextInt(2048) : 64 * 1024 + r.nextInt(1 << 20)];
            r.nextBytes(data[k]);
        }
        return new Pieces(offsets, data);
    }

    static byte[] apply(byte[] f, Step s) {
        for (int k = 0; k < s.offsets().length; k++) {
            int end = (int) s.offsets()[k] + s.data()[k].length;
            if (end > f.length) f = java.util.Arrays.copyOf(f, end);
            System.arraycopy(s.data()[k], 0, f, (int) s.offsets()[k], s.data()[k].length);
        }
        return f;
    }

    static String name(int file) {
        return "s" + file;
    }

    public static void main(String[] args) throws Exception {
        CrashWorkload.runSteps(args, options(), (store, seed, i) -> {
            Step s = step(seed, i);
            String name = name(s.file());
            Change ch = Change.of("crash", "/" + name);
            long ino = CrashWorkload.fileNamed(store, name, ch);
            for (int k = 0; k < s.offsets().length; k++) store.write(ino, s.offsets()[k], s.data()[k], 0, s.data()[k].length, ch);
            store.commit(ino, VersionKind.WRITE, ch).orElseThrow();
            if (s.sync()) store.sync(ino);
        });
    }
}
