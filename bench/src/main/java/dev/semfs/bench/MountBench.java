package dev.semfs.bench;

import dev.semfs.fuse.MountOptions;
import dev.semfs.fuse.MountedWorkspace;
import dev.semfs.fuse.Mounter;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The FUSE mount benchmark: the same shell workloads (dd, a bash create loop, ls -l, cat, rm -rf,
 * fio) on a native directory, on semfs mounted over the real store ("semfs": the default
 * options, single-threaded loop with the page cache; "-mt": multithreaded loop; "-direct": direct
 * I/O, no page cache; "-nospin": the loop blocks as soon as it has answered a request), and on
 * the in-memory workspace through the same adapter and binding ("fake": the cost of FUSE + the
 * FFM binding + the adapter without the store). Each figure is
 * also given as a ratio to native in the same run; after each workload on a mount, the FUSE
 * requests it cost. With several runs the targets take turns, so that each run's ratios compare
 * figures taken under the same load of a shared machine.
 *
 * <p>Needs bash, dd and coreutils, FUSE (/dev/fuse, fusermount3) for the mounted targets, and fio
 * for its rows (left out without it). Scratch space: about 3 x big-mib.
 */
public final class MountBench {
    /** Every target, in the order of the table. */
    public static final List<String> TARGETS = List.of("native", "semfs", "semfs-index", "semfs-mt", "semfs-direct",
            "semfs-nospin", "fake", "fake-mt", "fake-nospin");
    /** The targets run when none are named: the -nospin pair is an A/B of one option, run on request. */
    public static final List<String> DEFAULT_TARGETS = TARGETS.stream().filter(t -> !t.endsWith("-nospin")).toList();

    /** What the workloads run; fio is not among them because its rows are optional. */
    private static final List<String> PROGRAMS = List.of("bash", "dd", "seq", "mkdir", "ls", "cat", "rm");

    /**
     * @param bigMiB     size of the dd 128 KiB-block file
     * @param smallMiB   size of the dd 4 KiB-block file (and of fio's file, up to 256)
     * @param files      number of 1 KiB files created, listed, read and removed
     * @param fioSeconds fio's run time, for each of its two rows
     * @param runs       times each target is run, in turns; medians are shown
     * @param targets    some of {@link #TARGETS}, in the order of the table
     * @param scratch    directory under which the benchmark works and which it leaves as it was
     * @param searchPath where to look for the programs (a PATH); null for this process's PATH
     */
    public record Options(int bigMiB, int smallMiB, int files, int fioSeconds, int runs, List<String> targets,
                          Path scratch, String searchPath) {
        public Options {
            targets = List.copyOf(targets);
            Objects.requireNonNull(scratch, "scratch");
            for (String t : targets) {
                if (!TARGETS.contains(t)) throw new IllegalArgumentException("unknown target " + t);
            }
            if (runs < 1) throw new IllegalArgumentException("runs must be at least 1");
        }
    }

    /**
     * Why the benchmark cannot run here (programs or FUSE missing), or null if it can. Checked
     * before anything is measured, so that a missing program does not end a long run half way.
     */
    public static String missingPrerequisites(List<String> targets, String searchPath) {
        List<String> missing = new ArrayList<>();
        for (String p : PROGRAMS) if (!onPath(p, searchPath)) missing.add(p);
        boolean mounts = targets.stream().anyMatch(t -> !t.equals("native"));
        if (mounts) {
            if (!Files.exists(Path.of("/dev/fuse"))) missing.add("/dev/fuse");
            if (!onPath("fusermount3", searchPath) && !onPath("fusermount", searchPath)) missing.add("fusermount3");
        }
        if (missing.isEmpty()) return null;
        return "not found: " + String.join(", ", missing) + " (the workloads run bash, dd and coreutils"
                + (mounts ? "; the targets other than native need /dev/fuse and fusermount3 from fuse3" : "") + ")";
    }

    /** Whether {@code program} is an executable file in {@code searchPath} (null: this process's PATH). */
    public static boolean onPath(String program, String searchPath) {
        String path = searchPath != null ? searchPath : Objects.requireNonNullElse(System.getenv("PATH"), "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    /**
     * Runs the benchmark: progress and the requests of each workload on {@code progress}, then the
     * conditions and the Markdown table on {@code out}.
     *
     * @throws IllegalStateException when {@link #missingPrerequisites} finds something missing
     */
    public static void run(Options options, PrintStream out, PrintStream progress) throws Exception {
        String missing = missingPrerequisites(options.targets(), options.searchPath());
        if (missing != null) throw new IllegalStateException(missing);
        new MountBench(options, progress).measure(out);
    }

    private final Options o;
    private final PrintStream progress;
    private final boolean fio;
    /** Work, then target, then the figure of each run (NaN where a run has none). */
    private final Map<String, Map<String, double[]>> results = new LinkedHashMap<>();
    private final Map<String, String> units = new LinkedHashMap<>();
    private int run;
    /** The mount under test, whose served requests are printed after each workload; null on native. */
    private MountedWorkspace mounted;

    private MountBench(Options o, PrintStream progress) {
        this.o = o;
        this.progress = progress;
        this.fio = onPath("fio", o.searchPath());
    }

    private void measure(PrintStream out) throws Exception {
        String started = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC).format(Instant.now());
        String loadAtStart = loadAverage();
        if (!fio) progress.println("fio not found: its rows are left out");
        Path root = Files.createTempDirectory(o.scratch(), "semfs-mount-bench");
        try {
            String nproc = nproc(root);
            Path source = root.resolve("source.bin");
            writeRandom(source, Math.max(o.bigMiB(), o.smallMiB()));
            for (run = 0; run < o.runs(); run++) {
                for (String target : o.targets()) {
                    runTarget(root, target, source);
                }
            }
            out.println(conditions(started, nproc, loadAtStart, loadAverage()));
            out.println();
            print(out);
        } finally {
            deleteTree(root);
        }
    }

    private void runTarget(Path root, String target, Path source) throws Exception {
        Path dir = Files.createDirectories(root.resolve(target));
        Path store = root.resolve(target + "-store");
        try {
            if (target.equals("native")) {
                workloads(target, dir, source);
                return;
            }
            boolean mt = target.contains("-mt");
            boolean cache = !target.contains("-direct");
            Duration spin = target.contains("-nospin") ? Duration.ZERO : MountOptions.DEFAULT_SPIN;
            // semfs-index: as the daemon runs by default, the semantic index kept current in the
            // background (the offline model embeds every closed text file); the others as
            // `semfs mount --no-index`, the index built on demand.
            Workspace ws = !target.startsWith("semfs") ? Workspaces.inMemory()
                    : target.equals("semfs-index") ? Workspaces.open(Files.createDirectories(store), StoreOptions.defaults(), IndexSetup.continuous())
                    : Workspaces.open(Files.createDirectories(store));
            MountedWorkspace m = Mounter.fuse().mount(ws, Files.createDirectories(dir.resolve("mnt")),
                    MountOptions.forAgent(Caller.OWNER).withMultithreaded(mt).withPageCache(cache).withSpin(spin));
            try {
                long threads = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
                mounted = m;
                workloads(target, m.mountPoint(), source);
                long startedThreads = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - threads;
                record(target, "JVM threads started during the run", startedThreads, "threads");
            } finally {
                mounted = null;
                m.unmount();
                ws.close();
            }
        } finally {
            // A fresh directory and store for each run, and no more disk in use than one target's.
            deleteTree(dir);
            deleteTree(store);
        }
    }

    private void workloads(String target, Path dir, Path source) throws Exception {
        progress.println("== " + target + " on " + dir + (o.runs() > 1 ? " (run " + (run + 1) + " of " + o.runs() + ")" : ""));
        int bigMiB = o.bigMiB(), smallMiB = o.smallMiB(), files = o.files();
        long big = (long) bigMiB << 20, small = (long) smallMiB << 20;
        warmUp(dir, source);
        roundTrips(target, dir);
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
        if (!fio) return;
        for (int jobs : new int[] {1, 2}) {
            String out = sh(dir, "fio --name=rr --filename=fio.dat --rw=randread --bs=4k --size=" + fioMiB()
                    + "M --runtime=" + o.fioSeconds() + " --time_based --ioengine=psync --numjobs=" + jobs
                    + " --group_reporting --output-format=terse --terse-version=3");
            // terse v3: field 8 (1-based) is read IOPS
            String[] lines = out.trim().split("\n");
            String[] f = lines[lines.length - 1].split(";");
            record(target, "fio 4k random read, " + jobs + " reader" + (jobs > 1 ? "s" : ""), Double.parseDouble(f[7]), "IOPS");
        }
        sh(dir, "rm -f fio.dat");
    }

    /**
     * Every workload once at a small size, untimed, on every target alike: a mount's daemon is
     * long-lived, so its code is measured compiled, not while the JIT compiles it on one of the
     * two cores (in a cold JVM the compiler threads took 40% of the CPU samples of a 10-second
     * run of the core). Then a pause for the store to chunk what the warm-up wrote.
     */
    private void warmUp(Path dir, Path source) throws Exception {
        int mib = Math.min(64, o.smallMiB()), files = Math.min(2000, o.files());
        String kib = "x".repeat(1023);
        collectGarbage();
        sh(dir, "mkdir warm && cd warm"
                + " && dd if=" + source + " of=big bs=128k count=" + mib * 8 + " conv=fsync status=none"
                + " && dd if=big of=/dev/null bs=128k status=none"
                + " && dd if=" + source + " of=small bs=4k count=" + mib * 64 + " conv=fsync status=none"
                + " && dd if=small of=/dev/null bs=4k status=none"
                + " && for i in $(seq " + files + "); do echo " + kib + " > f$i; done"
                + " && ls -l > /dev/null && cat f* > /dev/null && cd .. && rm -rf warm");
        Thread.sleep(1000);
    }

    /**
     * The cost of one request to the file system, measured first so that each run says what
     * the machine made of it then: getxattr of a name a file does not have, which the kernel
     * always forwards to FUSE (no cache answers it) and the mount answers from the core
     * without touching content. On the native directory it is the system call alone.
     */
    private void roundTrips(String target, Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("probe"), "x");
        java.nio.file.attribute.UserDefinedFileAttributeView view =
                Files.getFileAttributeView(f, java.nio.file.attribute.UserDefinedFileAttributeView.class);
        int n = 20_000;
        Map<String, MountedWorkspace.Served> before = mounted == null ? Map.of() : mounted.served();
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try {
                view.size("semfs-bench-missing");
            } catch (IOException expected) {
                // ENODATA: the answer being timed
            }
        }
        double s = (System.nanoTime() - t) / 1e9;
        record(target, "getxattr of a missing name (one FUSE round trip)", n / s, "calls/s");
        printServed(before, 1);
        Files.delete(f);
    }

    private int fioMiB() {
        return Math.min(256, o.smallMiB());
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    /**
     * Collects the garbage of what ran before, so that a timed workload does not pay for it: the
     * fake keeps 1 GiB of versions in the heap, and the store run right after it saw its 128 KiB
     * writes take 1 ms each in the JVM instead of 0.15 ms while two cores collected it.
     */
    private static void collectGarbage() {
        System.gc();
    }

    private void mbps(String target, String what, long bytes, Work w) throws Exception {
        collectGarbage();
        Map<String, MountedWorkspace.Served> before = mounted == null ? Map.of() : mounted.served();
        long t = System.nanoTime();
        w.run();
        double s = (System.nanoTime() - t) / 1e9;
        record(target, what, bytes / s / 1e6, "MB/s");
        printServed(before, 1);
    }

    private void perSecond(String target, String what, int n, Work w) throws Exception {
        collectGarbage();
        Map<String, MountedWorkspace.Served> before = mounted == null ? Map.of() : mounted.served();
        long t = System.nanoTime();
        w.run();
        double s = (System.nanoTime() - t) / 1e9;
        record(target, what, n / s, "files/s");
        printServed(before, n);
    }

    /** The FUSE requests a workload cost, per file (or in all), with their mean time in the JVM. */
    private void printServed(Map<String, MountedWorkspace.Served> before, int per) {
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
        progress.println(line);
    }

    private void record(String target, String what, double value, String unit) {
        results.computeIfAbsent(what, k -> new LinkedHashMap<>()).computeIfAbsent(target, k -> {
            double[] each = new double[o.runs()];
            Arrays.fill(each, Double.NaN);
            return each;
        })[run] = value;
        units.put(what, unit);
        progress.printf(Locale.ROOT, "  %-45s %,12.1f %s%n", what, value, unit);
    }

    private String conditions(String started, String nproc, String loadAtStart, String loadAtEnd) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s UTC, nproc %s, load average %s at start and %s at end, kernel %s, Java %s; ",
                started, nproc, loadAtStart, loadAtEnd, System.getProperty("os.version"), Runtime.version()));
        String reclaim = proactiveReclaim(Path.of("/sys/kernel/mm/damon/admin"));
        if (reclaim != null) b.append(reclaim).append("; ");
        String halt = idleHalt(Path.of("/sys/devices/system/cpu/cpuidle"), Path.of("/sys/module/haltpoll/parameters"));
        if (halt != null) b.append(halt).append("; ");
        b.append(String.format(Locale.ROOT, "dd of %d MiB (bs=128k) and %d MiB (bs=4k), %d files of 1 KiB, ",
                o.bigMiB(), o.smallMiB(), o.files()));
        b.append(fio ? String.format(Locale.ROOT, "fio psync 4 KiB random reads on a %d MiB file for %d s; ", fioMiB(), o.fioSeconds())
                : "no fio rows (fio not found); ");
        b.append("each target warmed up by every workload at a small size first, the JVM's garbage collected before each workload; ");
        b.append(o.runs() == 1 ? "1 run."
                : o.runs() + " runs, the targets in turn: figures are medians, each ratio is the median of the ratios "
                        + "to native (or to the fake) in the same run, which follow it run by run.");
        return b.toString();
    }

    /**
     * What the kernel drops from memory without being short of it: a running DAMON context
     * under {@code damonAdmin} (sysfs) with a {@code pageout} scheme pages out idle page cache,
     * so a file written a few seconds before it is read back may be partly reread from its file
     * system (for a FUSE mount, from the daemon). Null when there is none.
     */
    static String proactiveReclaim(Path damonAdmin) {
        Path kdamonds = damonAdmin.resolve("kdamonds");
        if (!Files.isDirectory(kdamonds)) return null;
        try (var ds = Files.list(kdamonds)) {
            for (Path k : ds.filter(d -> d.getFileName().toString().matches("[0-9]+")).sorted().toList()) {
                if (!"on".equals(readTrimmed(k.resolve("state")))) continue;
                try (var schemes = Files.find(k.resolve("contexts"), 4, (f, a) -> f.getFileName().toString().equals("action"))) {
                    if (schemes.anyMatch(f -> "pageout".equals(readTrimmed(f)))) {
                        return "proactive reclaim on (DAMON pageout: idle page cache is dropped, so reads right after writes may go to the file system)";
                    }
                } catch (IOException | UncheckedIOException e) {
                    // a context without schemes, or one unreadable: not known to reclaim
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /**
     * How the guest's idle CPUs wait, when the kernel says: with the haltpoll cpuidle driver and
     * {@code guest_halt_poll_ns} 0 an idle vCPU halts at once, and waking it (for a FUSE request
     * or its reply) costs the host's wake-up, tens of microseconds. Null when not a haltpoll guest.
     */
    static String idleHalt(Path cpuidle, Path haltpollParameters) {
        if (!"haltpoll".equals(readTrimmed(cpuidle.resolve("current_driver")))) return null;
        String ns = readTrimmed(haltpollParameters.resolve("guest_halt_poll_ns"));
        if (ns == null) return null;
        return "0".equals(ns) ? "guest halt polling off (idle vCPUs halt at once; waking one costs a host wake-up)"
                : "guest halt polling up to " + ns + " ns";
    }

    private static String readTrimmed(Path f) {
        try {
            return Files.readString(f).trim();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Whether the table also gives {@code t} against the in-memory workspace on the same binding
     * (the store's own cost, without FUSE's): for the store targets when the fake ran too.
     */
    private boolean againstFake(String t) {
        return t.startsWith("semfs") && o.targets().contains("fake");
    }

    private void print(PrintStream out) {
        boolean many = o.runs() > 1;
        StringBuilder h = new StringBuilder("| work | unit |");
        StringBuilder sep = new StringBuilder("|---|---|");
        for (String t : o.targets()) {
            h.append(' ').append(t).append(" |");
            sep.append("---|");
            if (!t.equals("native")) {
                h.append(' ').append(t).append(" / native |");
                sep.append("---|");
                if (many) {
                    h.append(' ').append(t).append(" / native, each run |");
                    sep.append("---|");
                }
            }
            if (againstFake(t)) {
                h.append(' ').append(t).append(" / fake |");
                sep.append("---|");
            }
        }
        out.println(h);
        out.println(sep);
        for (var e : results.entrySet()) {
            StringBuilder row = new StringBuilder("| " + e.getKey() + " | " + units.get(e.getKey()) + " |");
            double[] nat = e.getValue().get("native");
            for (String t : o.targets()) {
                double[] v = e.getValue().get(t);
                double value = v == null ? Double.NaN : median(v);
                row.append(Double.isNaN(value) ? " |" : String.format(Locale.ROOT, " %,.0f |", value));
                if (t.equals("native")) continue;
                double[] ratios = ratios(v, nat);
                double ratio = median(ratios);
                row.append(Double.isNaN(ratio) ? " |" : String.format(Locale.ROOT, " %.2f |", ratio));
                if (many) {
                    StringJoiner each = new StringJoiner(", ", " ", " |").setEmptyValue(" |");
                    for (double r : ratios) each.add(String.format(Locale.ROOT, "%.2f", r));
                    row.append(each);
                }
                if (againstFake(t)) {
                    double toFake = median(ratios(v, e.getValue().get("fake")));
                    row.append(Double.isNaN(toFake) ? " |" : String.format(Locale.ROOT, " %.2f |", toFake));
                }
            }
            out.println(row);
        }
    }

    /** The ratio of each run in which both figures exist. */
    private static double[] ratios(double[] v, double[] nat) {
        if (v == null || nat == null) return new double[0];
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isNaN(v[i]) && !Double.isNaN(nat[i]) && nat[i] != 0) out.add(v[i] / nat[i]);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The median of the figures that exist; NaN if none does. */
    static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** What {@code nproc} says (the CPUs this process may use); the JVM's count if it cannot be run. */
    private String nproc(Path dir) throws InterruptedException {
        try {
            return sh(dir, "nproc").trim();
        } catch (IOException e) {
            return Integer.toString(Runtime.getRuntime().availableProcessors());
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return String.join(" ", Arrays.asList(f).subList(0, Math.min(3, f.length)));
        } catch (IOException e) {
            return "unknown";
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

    private String sh(Path dir, String script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true);
        if (o.searchPath() != null) pb.environment().put("PATH", o.searchPath());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        boolean ended = p.waitFor(30, TimeUnit.MINUTES);
        if (!ended) p.destroyForcibly();
        if (!ended || p.exitValue() != 0) {
            throw new IOException("`" + script + "` failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Best effort: what a failed unmount still holds stays behind rather than hide the run's error. */
    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // left behind; the scratch directory shows it
        }
    }
}
