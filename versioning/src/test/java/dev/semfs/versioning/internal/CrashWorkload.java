package dev.semfs.versioning.internal;

import dev.semfs.versioning.Change;
import dev.semfs.versioning.FileType;
import dev.semfs.versioning.Inode;
import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.VersionKind;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The workload of the crash test, run in a child JVM that the test kills with SIGKILL: a
 * deterministic sequence of writes, truncates and version cuts on a few files, each followed
 * by fsync; after each fsync returns, the operation's number is appended (and synced) to an
 * acknowledgement file. The test replays the same sequence on byte arrays to know what must be
 * there.
 */
public final class CrashWorkload {
    static final int FILES = 6;

    /** One operation; {@code data} is null for a truncate or a version cut. */
    record Step(int file, String kind, long offset, byte[] data) {}

    static Step step(long seed, long i) {
        Random r = new Random(seed * 1_000_003L + i);
        int file = r.nextInt(FILES);
        int k = r.nextInt(100);
        if (k < 70) {
            byte[] data = new byte[1 + r.nextInt(r.nextBoolean() ? 512 : 64 * 1024)];
            r.nextBytes(data);
            return new Step(file, "write", r.nextInt(300_000), data);
        }
        if (k < 85) return new Step(file, "truncate", r.nextInt(300_000), null);
        return new Step(file, "commit", 0, null);
    }

    /** Applies a step to the reference contents. */
    static void apply(byte[][] files, Step s) {
        byte[] f = files[s.file()];
        switch (s.kind()) {
            case "write" -> {
                int end = (int) s.offset() + s.data().length;
                if (end > f.length) f = Arrays.copyOf(f, end);
                System.arraycopy(s.data(), 0, f, (int) s.offset(), s.data().length);
            }
            case "truncate" -> f = Arrays.copyOf(f, (int) s.offset());
            default -> { }
        }
        files[s.file()] = f;
    }

    static String name(int file) {
        return "f" + file;
    }

    public static void main(String[] args) throws Exception {
        runSteps(args, StoreOptions.defaults().withAvgChunkSize(8192), (store, seed, i) -> {
            Step s = step(seed, i);
            String name = name(s.file());
            Change ch = Change.of("crash", "/" + name);
            long ino = fileNamed(store, name, ch);
            switch (s.kind()) {
                case "write" -> store.write(ino, s.offset(), s.data(), 0, s.data().length, ch);
                case "truncate" -> store.truncate(ino, s.offset(), ch);
                default -> store.commit(ino, VersionKind.WRITE, ch);
            }
            store.sync(ino);
        });
    }

    /** One step of a child workload: done when it returns, then acknowledged. */
    @FunctionalInterface
    interface StepWork {
        void run(WorkspaceStore store, long seed, long i) throws Exception;
    }

    /**
     * A child workload's main loop ({@code args}: store, ack file, seed): opens the store, runs
     * the steps after the last acknowledged one, acknowledging each, until killed.
     */
    static void runSteps(String[] args, StoreOptions options, StepWork work) throws Exception {
        Path storeDir = Path.of(args[0]);
        Path ackFile = Path.of(args[1]);
        long seed = Long.parseLong(args[2]);
        long start = lastAck(ackFile) + 1;
        try (WorkspaceStore store = WorkspaceStore.open(storeDir, options);
             FileChannel ack = FileChannel.open(ackFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                     StandardOpenOption.WRITE)) {
            for (long i = start; ; i++) {
                work.run(store, seed, i);
                acknowledge(ack, i);
            }
        }
    }

    static long lastAck(Path ackFile) throws IOException {
        if (!Files.exists(ackFile)) return -1;
        List<String> lines = Files.readAllLines(ackFile);
        long last = -1;
        for (String l : lines) {
            if (!l.isBlank()) last = Long.parseLong(l.trim()); // a torn last line cannot parse: not acknowledged
        }
        return last;
    }

    /**
     * Starts {@code workload}'s main in a child JVM on {@code store}, acknowledging into {@code ack},
     * and returns once it acknowledged something new (or died, or a minute passed): the moment
     * from which a kill tests recovery of real work. Its output goes to {@code log}.
     */
    static Process startAndAwaitProgress(Class<?> workload, Path store, Path ack, long seed, Path log) throws Exception {
        long before = lastAck(ack);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), workload.getName(), store.toString(), ack.toString(), Long.toString(seed))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (lastAck(ack) <= before && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(2);
        return child;
    }

    /**
     * Starts the child workload, waits for its first acknowledgement, lets it run up to
     * {@code maxMillis} more and kills it with SIGKILL; fails when it died by itself first.
     */
    static void runAndKill(Class<?> workload, Path store, Path ack, long seed, Path dir, java.util.Random rnd, int maxMillis)
            throws Exception {
        Path log = dir.resolve("child.log");
        Process child = startAndAwaitProgress(workload, store, ack, seed, log);
        if (!child.isAlive()) throw new AssertionError("child died by itself (seed " + seed + "): " + childLog(dir));
        Thread.sleep(rnd.nextInt(maxMillis));
        child.destroyForcibly(); // SIGKILL
        if (!child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) throw new AssertionError("child did not die (seed " + seed + ")");
    }

    /** The file {@code name} at the root, created on first use. */
    static long fileNamed(WorkspaceStore store, String name, Change ch) throws IOException {
        long ino = store.lookup(WorkspaceStore.ROOT, name).map(Inode::ino).orElse(-1L);
        return ino >= 0 ? ino : store.create(WorkspaceStore.ROOT, name, FileType.FILE, 0644, 0, 0, null, ch).ino();
    }

    /** Step {@code i} is done: one line in the ack file, forced before the next step starts. */
    static void acknowledge(FileChannel ack, long i) throws IOException {
        ack.write(ByteBuffer.wrap((i + "\n").getBytes(StandardCharsets.US_ASCII)));
        ack.force(false);
    }

    /** What the child printed, for a failure message. */
    static String childLog(Path dir) {
        try {
            return Files.readString(dir.resolve("child.log"));
        } catch (Exception e) {
            return "(no log)";
        }
    }
}
