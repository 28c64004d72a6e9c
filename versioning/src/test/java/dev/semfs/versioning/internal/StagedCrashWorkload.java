package dev.semfs.versioning.internal;

import dev.semfs.versioning.Change;
import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.VersionKind;
import dev.semfs.versioning.VersionRecord;
import dev.semfs.versioning.WorkspaceStore;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
        int n = 1 + r.nextInt(6);
        long[] offsets = new long[n];
        byte[][] data = new byte[n][];
        for (int k = 0; k < n; k++) {
            offsets[k] = r.nextInt(3 << 20);
            data[k] = new byte[r.nextBoolean() ? 1 + r.nextInt(2048) : 64 * 1024 + r.nextInt(1 << 20)];
            r.nextBytes(data[k]);
        }
        return new Step(file, offsets, data, r.nextInt(10) == 0);
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
        Path storeDir = Path.of(args[0]);
        Path ackFile = Path.of(args[1]);
        long seed = Long.parseLong(args[2]);
        long start = CrashWorkload.lastAck(ackFile) + 1;
        try (WorkspaceStore store = WorkspaceStore.open(storeDir, options());
             FileChannel ack = FileChannel.open(ackFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                     StandardOpenOption.WRITE)) {
            for (long i = start; ; i++) {
                Step s = step(seed, i);
                String name = name(s.file());
                Change ch = Change.of("crash", "/" + name);
                long ino = CrashWorkload.fileNamed(store, name, ch);
                for (int k = 0; k < s.offsets().length; k++) store.write(ino, s.offsets()[k], s.data()[k], 0, s.data()[k].length, ch);
                VersionRecord v = store.commit(ino, VersionKind.WRITE, ch).orElseThrow();
                if (s.sync()) store.sync(ino);
                CrashWorkload.acknowledge(ack, i);
                if (v.number() < 0) throw new IllegalStateException();
            }
        }
    }
}
