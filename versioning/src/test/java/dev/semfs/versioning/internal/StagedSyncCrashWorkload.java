package dev.semfs.versioning.internal;

import dev.semfs.versioning.Change;
import dev.semfs.versioning.VersionKind;
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
        StagedCrashWorkload.Pieces p = StagedCrashWorkload.pieces(r, 4);
        return new Step(file, p.offsets(), p.data(), r.nextInt(5) == 0);
    }

    static String name(int file) {
        return "y" + file;
    }

    public static void main(String[] args) throws Exception {
        CrashWorkload.runSteps(args, StagedCrashWorkload.options(), (store, seed, i) -> {
            Step s = step(seed, i);
            String name = name(s.file());
            Change ch = Change.of("crash", "/" + name);
            long ino = CrashWorkload.fileNamed(store, name, ch);
            for (int k = 0; k < s.offsets().length; k++) store.write(ino, s.offsets()[k], s.data()[k], 0, s.data()[k].length, ch);
            store.sync(ino);
            if (s.close()) store.commit(ino, VersionKind.WRITE, ch);
        });
    }
}
