package dev.semfs.versioning.internal;

import dev.semfs.versioning.Change;
import dev.semfs.versioning.VersionKind;
import dev.semfs.versioning.WorkspaceStore;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * The workload of the staged fsync crash test, run in a child JVM that the test kills with
 * SIGKILL: large writes (past the in-memory limit, so staged) each followed by an fsync of the
 * file, which records the staged writes without chunking them and without a version; only some
 * steps close the file (a version). After each fsync (and close) returns, the step's number is
 * appended to an acknowledgement file.
 */
public final class StagedSyncCrashWorkload {
    static final int FILES = 3;

    /** One step: writes at {@code offsets} of {@code data} pieces into {@code file}, an fsync, maybe a close. */
    record Step(int file, long[] offsets, byte[][] data, boolean close) {}

    static Step step(long seed, long i) {
        Random r = new Random(seed * 1_000_003L + i);
        int file = r.nextInt(FILES);
        int n = 1 + r.nextInt(4);
        long[] offsets = new long[n];
        byte[][] data = new byte[n][];
        for (int k = 0; k < n; k++) {
            offsets[k] = r.nextInt(3 << 20);
            data[k] = new byte[r.nextBoolean() ? 1 + r.nextInt(2048) : 64 * 1024 + r.nextInt(1 << 20)];
            r.nextBytes(data[k]);
        }
        return new Step(file, offsets, data, r.nextInt(5) == 0);
    }

    static String name(int file) {
        return "y" + file;
    }

    public static void main(String[] args) throws Exception {
        Path storeDir = Path.of(args[0]);
        Path ackFile = Path.of(args[1]);
        long seed = Long.parseLong(args[2]);
        long start = CrashWorkload.lastAck(ackFile) + 1;
        try (WorkspaceStore store = WorkspaceStore.open(storeDir, StagedCrashWorkload.options());
             FileChannel ack = FileChannel.open(ackFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                     StandardOpenOption.WRITE)) {
            for (long i = start; ; i++) {
                Step s = step(seed, i);
                String name = name(s.file());
                Change ch = Change.of("crash", "/" + name);
                long ino = CrashWorkload.fileNamed(store, name, ch);
                for (int k = 0; k < s.offsets().length; k++) store.write(ino, s.offsets()[k], s.data()[k], 0, s.data()[k].length, ch);
                store.sync(ino);
                if (s.close()) store.commit(ino, VersionKind.WRITE, ch);
                CrashWorkload.acknowledge(ack, i);
            }
        }
    }
}
