package dev.semfs.cli.internal;

import dev.semfs.bench.MountBench;
import dev.semfs.bench.StoreBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code semfs bench ...}: benchmarks, each figure beside a baseline measured in the same run. */
@Command(name = "bench", description = "Run a benchmark; each figure is a ratio to a baseline measured in the same run.",
        subcommands = {BenchCommand.Store.class, BenchCommand.Mount.class})
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    SemfsCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(root.env().err());
        return SemfsCli.USAGE;
    }

    /** {@code semfs bench store}: the versioned store against the native file system (see docs/benchmarks.md). */
    @Command(name = "store", description = {
            "Benchmark the versioned store against the native file system on the same disk, in the same run: sequential "
                    + "write and read of a large file, random 4 KiB writes, the storage cost of many small edits of one "
                    + "file, garbage collection. Prints Markdown tables (see docs/benchmarks.md).",
            "Works in a scratch directory (never the workspace store) and deletes what it wrote."})
    static final class Store implements Callable<Integer> {
        @ParentCommand
        BenchCommand bench;

        @Spec
        CommandSpec spec;

        @Option(names = "--size-mib", paramLabel = "N", defaultValue = "1024", description = "Size of the large file in MiB (default: ${DEFAULT-VALUE}).")
        int sizeMib;

        @Option(names = "--runs", paramLabel = "R", defaultValue = "3", description = "Runs; medians are shown (default: ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--versions", paramLabel = "V", defaultValue = "1000", description = "Versions of the 10 MiB file (default: ${DEFAULT-VALUE}).")
        int versions;

        @Option(names = "--dir", paramLabel = "DIR", description = "Scratch directory on the disk to measure (default: a new temporary directory).")
        Path dir;

        @Override
        public Integer call() throws Exception {
            if (sizeMib < 1 || sizeMib > 2047) throw new ParameterException(spec.commandLine(), "--size-mib must be 1 to 2047");
            if (runs < 1) throw new ParameterException(spec.commandLine(), "--runs must be at least 1");
            if (versions < 2) throw new ParameterException(spec.commandLine(), "--versions must be at least 2");
            boolean temporary = dir == null;
            Path base = temporary ? Files.createTempDirectory("semfs-bench") : dir.resolve("semfs-bench-" + ProcessHandle.current().pid());
            try {
                StoreBench.run(base, sizeMib, runs, versions, bench.root.env().out());
                bench.root.env().out().flush();
            } finally {
                StoreBench.deleteTree(base);
            }
            return SemfsCli.OK;
        }
    }

    /** {@code semfs bench mount}: shell workloads on FUSE mounts against a native directory (see docs/benchmarks.md). */
    @Command(name = "mount", description = {
            "Benchmark the FUSE mount against a native directory on the same disk, in the same run: dd with 128 KiB "
                    + "and 4 KiB blocks, a bash loop creating many 1 KiB files, ls -l, cat and rm -rf of them, fio 4 KiB "
                    + "random reads with one and two readers. Targets: native (a directory), semfs (the real store, "
                    + "default mount options, semantic index on demand as with mount --no-index), semfs-index (the same "
                    + "with the index kept current in the background, as the daemon runs by default), semfs-mt (multithreaded loop), semfs-direct (no page cache), fake and "
                    + "fake-mt (an in-memory workspace through the same adapter and binding: the cost of FUSE without "
                    + "the store); on request only, semfs-nospin and fake-nospin (the loop blocks as soon as it has "
                    + "answered a request, instead of polling for the next one for 50 µs).",
            "Prints the conditions and a Markdown table with each figure's ratio to native in the same run (with "
                    + "--runs, medians and the ratio of each run); progress and the FUSE requests each workload cost go "
                    + "to stderr. Needs bash, dd, coreutils and FUSE (/dev/fuse, fusermount3); without fio its rows are "
                    + "left out.",
            "Works in a scratch directory (never the workspace store; about 3 x --big-mib free) and deletes what it wrote."})
    static final class Mount implements Callable<Integer> {
        /** The fake keeps a file in one Java array. */
        private static final int MAX_FAKE_MIB = 2047;

        @ParentCommand
        BenchCommand bench;

        @Spec
        CommandSpec spec;

        @Option(names = "--big-mib", paramLabel = "N", defaultValue = "1024", description = "MiB written and read by dd with 128 KiB blocks (default: ${DEFAULT-VALUE}).")
        int bigMib;

        @Option(names = "--small-mib", paramLabel = "N", defaultValue = "256", description = "MiB written and read by dd with 4 KiB blocks; fio reads a file of this size, at most 256 MiB (default: ${DEFAULT-VALUE}).")
        int smallMib;

        @Option(names = "--files", paramLabel = "N", defaultValue = "10000", description = "1 KiB files created, listed, read and removed (default: ${DEFAULT-VALUE}).")
        int files;

        @Option(names = "--fio-seconds", paramLabel = "S", defaultValue = "10", description = "Run time of each fio workload (default: ${DEFAULT-VALUE}).")
        int fioSeconds;

        @Option(names = "--runs", paramLabel = "R", defaultValue = "1", description = "Runs of each target, the targets in turn; medians and each run's ratios are shown (default: ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--only", paramLabel = "TARGET", split = ",", description = "Targets, in table order: native, semfs, semfs-index, semfs-mt, semfs-direct, semfs-nospin, fake, fake-mt, fake-nospin (default: all but the -nospin ones).")
        List<String> only;

        @Option(names = "--dir", paramLabel = "DIR", description = "Scratch directory on the disk to measure (default: the temporary directory).")
        Path dir;

        @Override
        public Integer call() throws Exception {
            List<String> targets = only == null ? MountBench.DEFAULT_TARGETS : only;
            if (bigMib < 1 || bigMib > 1 << 20) throw usage("--big-mib must be 1 to 1048576");
            if (smallMib < 1 || smallMib > 1 << 20) throw usage("--small-mib must be 1 to 1048576");
            if (files < 1 || files > 10_000_000) throw usage("--files must be 1 to 10000000");
            if (fioSeconds < 1 || fioSeconds > 3600) throw usage("--fio-seconds must be 1 to 3600");
            if (runs < 1 || runs > 100) throw usage("--runs must be 1 to 100");
            if (targets.isEmpty()) throw usage("--only needs at least one target");
            for (String t : targets) {
                if (!MountBench.TARGETS.contains(t)) {
                    throw usage("--only: unknown target '" + t + "' (targets: " + String.join(", ", MountBench.TARGETS) + ")");
                }
            }
            if (new HashSet<>(targets).size() != targets.size()) throw usage("--only names a target twice");
            if (targets.stream().anyMatch(t -> t.startsWith("fake")) && Math.max(bigMib, smallMib) > MAX_FAKE_MIB) {
                throw usage("--big-mib and --small-mib must be at most " + MAX_FAKE_MIB + " with the fake targets, "
                        + "which keep a file in one array");
            }
            if (dir != null && !Files.isDirectory(dir)) throw usage("--dir: not a directory: " + dir);
            CliEnv env = bench.root.env();
            String searchPath = env.env().get("PATH");
            String missing = MountBench.missingPrerequisites(targets, searchPath);
            if (missing != null) {
                env.err().println("semfs: bench mount: " + missing);
                return SemfsCli.FAILED;
            }
            Path scratch = dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"));
            MountBench.run(new MountBench.Options(bigMib, smallMib, files, fioSeconds, runs, targets, scratch, searchPath),
                    env.out(), env.err());
            env.out().flush();
            return SemfsCli.OK;
        }

        private ParameterException usage(String message) {
            return new ParameterException(spec.commandLine(), message);
        }
    }
}
