package dev.semfs.fuse;

import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The FUSE mount benchmark: the same shell workloads (dd, a bash create loop, ls -l, cat, rm -rf,
 * fio) on a native directory, on semfs mounted over the real store ("semfs": single-threaded
 * loop with the page cache option on; "-mt": multithreaded loop; "-direct": direct I/O, no page
 * cache, which is the mount's default), and on the in-memory fake workspace through the same adapter and binding (the cost of
 * FUSE + the FFM binding + the adapter without the store). Each figure is also given as a ratio
 * to native in the same run. Needs dd, bash, fio, and FUSE.
 *
 * <p>Run after {@code mvn -pl fuse-mount -am test-compile} with the test classpath:
 * {@code java $SEMFS_JVM_FLAGS -Xmx4g -cp <classes:test-classes:deps> dev.semfs.fuse.MountBenchmark
 * [--big-mib 1024] [--small-mib 256] [--files 10000] [--fio-seconds 10] [--only native,semfs,semfs-mt,semfs-direct,fake,fake-mt]}.
 * Scratch space: {@code --dir} (default java.io.tmpdir); needs about 3 x big-mib free.
 */
public final class MountBenchmark {
    private static int bigMiB = 1024, smallMiB = 256, files = 10_000, fioSeconds = 10;
    private static final Map<String, Map<String, Double>> RESULTS = new LinkedHashMap<>();
    private static final Map<String, String> UNITS = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        Path scratch = Path.of(System.getProperty("java.io.tmpdir"));
        List<String> only = List.of("native", "semfs", "semfs-mt", "semfs-direct", "fake", "fake-mt");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--big-mib" -> bigMiB = Integer.parseInt(args[++i]);
                case "--small-mib" -> smallMiB = Integer.parseInt(args[++i]);
                case "--files" -> files = Integer.parseInt(args[++i]);
                case "--fio-seconds" -> fioSeconds = Integer.parseInt(args[++i]);
                case "--dir" -> scratch = Path.of(args[++i]);
                case "--only" -> only = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path root = Files.createTempDirectory(scratch, "semfs-mount-bench");
        try {
            Path source = root.resolve("source.bin");
            writeRandom(source, Math.max(bigMiB, smallMiB));
            for (String target : only) {
                Path dir = Files.createDirectories(root.resolve(target));
                if (target.equals("native")) {
                    run(target, dir, source);
                    continue;
                }
                boolean mt = target.contains("-mt");
                boolean cache = !target.contains("-direct");
                Workspace ws = target.startsWith("semfs") ? Workspaces.open(Files.createDirectories(root.resolve(target + "-store")))
                        : dev.semfs.syscalls.Workspaces.inMemory();
                MountedWorkspace m = Mounter.fuse().mount(ws, Files.createDirectories(dir.resolve("mnt")),
                        MountOptions.forAgent(dev.semfs.syscalls.Caller.OWNER).withMultithreaded(mt).withPageCache(cache));
                try {
                    long threads = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
                    mounted = m;
                    run(target, m.mountPoint(), source);
                    long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - threads;
                    record(target, "JVM threads started during the run", started, "threads");
                } finally {
                    mounted = null;
                    m.unmount();
                    ws.close();
                }
            }
            print(only);
        } finally {
            try (Stream<Path> s = Files.walk(root)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(String target, Path dir, Path source) throws Exception {
        System.err.println("== " + target + " on " + dir);
        long big = (long) bigMiB << 20, small = (long) smallMiB << 20;
        mbps(target, "dd write " + bigMiB + " MiB bs=128k", big,
                () -> sh(dir, "dd if=" + source + " of=big bs=128k count=" + bigMiB * 8 + " conv=fsync status=none"));
        mbps(target, "dd read " + bigMiB + " MiB bs=128k", big, () -> sh(dir, "dd if=big of=/dev/null bs=128k status=none"));
        sh(dir, "rm -f big");
        mbps(target, "dd write " + smallMiB + " MiB bs=4k", small,
                () -> sh(dir, "dd if=" + source + " of=small bs=4k count=" + smallMiB * 256 + " conv=fsync status=none"));
        mbps(target, "dd read " + smallMiB + " MiB bs=4k", small, () -> sh(dir, "dd if=small of=/dev/null bs=4k status=none"));
        sh(dir, "rm -f small");
        String kib = "x".repeat(1023);
        perSecond(target, "create+write+close " + files + " x 1 KiB", files,
                () -> sh(dir, "mkdir many && cd many && for i in $(seq " + files + "); do echo " + kib + " > f$i; done"));
        perSecond(target, "ls -l of them", files, () -> sh(dir, "ls -l many > /dev/null"));
        perSecond(target, "cat of them", files, () -> sh(dir, "cat many/* > /dev/null"));
        perSecond(target, "rm -rf of them", files, () -> sh(dir, "rm -rf many"));
        for (int jobs : new int[] {1, 2}) {
            String out = sh(dir, "fio --name=rr --filename=fio.dat --rw=randread --bs=4k --size=" + Math.min(256, smallMiB)
                    + "M --runtime=" + fioSeconds + " --time_based --ioengine=psync --numjobs=" + jobs
                    + " --group_reporting --output-format=terse --terse-version=3");
            // terse v3: field 8 (1-based) is read IOPS
            String[] f = out.trim().split("\n")[out.trim().split("\n").length - 1].split(";");
            record(target, "fio 4k random read, " + jobs + " reader" + (jobs > 1 ? "s" : ""), Double.parseDouble(f[7]), "IOPS");
        }
        sh(dir, "rm -f fio.dat");
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    /** The mount under test, whose served requests are printed after each workload; null on native. */
    private static MountedWorkspace mounted;

    private static void mbps(String target, String what, long bytes, Work w) throws Exception {
        Map<String, MountedWorkspace.Served> before = mounted == null ? Map.of() : mounted.served();
        long t = System.nanoTime();
        w.run();
        double s = (System.nanoTime() - t) / 1e9;
        record(target, what, bytes / s / 1e6, "MB/s");
        printServed(before, 1);
    }

    private static void perSecond(String target, String what, int n, Work w) throws Exception {
        Map<String, MountedWorkspace.Served> before = mounted == null ? Map.of() : mounted.served();
        long t = System.nanoTime();
        w.run();
        double s = (System.nanoTime() - t) / 1e9;
        record(target, what, n / s, "files/s");
        printServed(before, n);
    }

    /** The FUSE requests a workload cost, per file (or in all), with their mean time in the JVM. */
    private static void printServed(Map<String, MountedWorkspace.Served> before, int per) {
        if (mounted == null) return;
        StringBuilder line = new StringBuilder("    requests" + (per > 1 ? " per file:" : ":"));
        mounted.served().forEach((k, v) -> {
            MountedWorkspace.Served b = before.getOrDefault(k, new MountedWorkspace.Served(0, 0));
            long count = v.count() - b.count();
            if (count == 0) return;
            line.append(String.format(Locale.ROOT, " %s %s (%.1f us)", k,
                    per > 1 ? String.format(Locale.ROOT, "%.2f", (double) count / per) : Long.toString(count),
                    (v.nanos() - b.nanos()) / 1e3 / count));
        });
        System.err.println(line);
    }

    private static void record(String target, String what, double value, String unit) {
        RESULTS.computeIfAbsent(what, k -> new LinkedHashMap<>()).put(target, value);
        UNITS.put(what, unit);
        System.err.printf(Locale.ROOT, "  %-45s %,12.1f %s%n", what, value, unit);
    }

    private static void print(List<String> targets) {
        StringBuilder h = new StringBuilder("| work | unit |");
        StringBuilder sep = new StringBuilder("|---|---|");
        for (String t : targets) {
            h.append(' ').append(t).append(" |");
            sep.append("---|");
            if (!t.equals("native")) {
                h.append(' ').append(t).append(" / native |");
                sep.append("---|");
            }
        }
        System.out.println(h);
        System.out.println(sep);
        for (var e : RESULTS.entrySet()) {
            StringBuilder row = new StringBuilder("| " + e.getKey() + " | " + UNITS.get(e.getKey()) + " |");
            Double nat = e.getValue().get("native");
            for (String t : targets) {
                Double v = e.getValue().get(t);
                row.append(v == null ? " |" : String.format(Locale.ROOT, " %,.0f |", v));
                if (!t.equals("native")) {
                    row.append(v == null || nat == null || nat == 0 ? " |" : String.format(Locale.ROOT, " %.2f |", v / nat));
                }
            }
            System.out.println(row);
        }
    }

    private static void writeRandom(Path file, int mib) throws IOException {
        Random r = new Random(1);
        byte[] block = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                r.nextBytes(block);
                out.write(block);
            }
        }
    }

    private static String sh(Path dir, String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("`" + script + "` failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private MountBenchmark() {}
}
