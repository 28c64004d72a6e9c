package dev.semfs.cli.internal;

import dev.semfs.bench.StoreBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code semfs bench ...}: benchmarks, each figure beside a baseline measured in the same run. */
@Command(name = "bench", description = "Run a benchmark; each figure is a ratio to a baseline measured in the same run.",
        subcommands = BenchCommand.Store.class)
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
}
