package dev.semfs.cli.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The top-level {@code semfs} command: global options, the list of subcommands, and the one
 * place where failures become messages and exit statuses.
 */
@Command(name = "semfs", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, versionProvider = SemfsCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "A semantic, versioned file system for LLM agents.",
        footer = {"", "Exit status: 0 success, 1 the operation failed, 2 usage error (or an argument the core refuses as invalid)."})
final class SemfsCommand implements Callable<Integer> {
    /** The subcommands, in the order help lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            InitCommand.class, StatusCommand.class, ImportCommand.class, ExportCommand.class,
            LsCommand.class, CatCommand.class, WriteCommand.class, RmCommand.class, MvCommand.class,
            MkdirCommand.class, LogCommand.class, DiffCommand.class, RollbackCommand.class,
            SnapshotCommand.class, SnapshotsCommand.class, RestoreCommand.class, GcCommand.class,
            SearchCommand.class, SummarizeCommand.class, IndexCommand.class, AgentsCommand.class, AuditCommand.class,
            MountCommand.class, UmountCommand.class, McpCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class);

    private final CliEnv env;

    @Spec
    CommandSpec spec;

    @Option(names = "--store", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Workspace store (default: $SEMFS_STORE, else ~/.local/share/semfs/default).")
    Path store;

    @Option(names = "--agent", paramLabel = "NAME", scope = ScopeType.INHERIT, defaultValue = "owner",
            description = "Agent to act as (default: ${DEFAULT-VALUE}).")
    String agent;

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Machine-readable JSON on stdout.")
    boolean json;

    SemfsCommand(CliEnv env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(env.err());
        return SemfsCli.USAGE;
    }

    CliEnv env() {
        return env;
    }

    /** The store directory: --store, else $SEMFS_STORE, else ~/.local/share/semfs/default. */
    Path storeDir() {
        if (store != null) return store.toAbsolutePath();
        String fromEnv = env.env().get("SEMFS_STORE");
        if (fromEnv != null && !fromEnv.isBlank()) return Path.of(fromEnv).toAbsolutePath();
        return Path.of(env.home(), ".local", "share", "semfs", "default");
    }

    /** Reports one failure of {@code command} on stderr (and stdout in --json mode); returns the exit status. */
    int report(Problem p, String command) {
        env.err().println(p.line(command));
        if (json) env.out().println(Json.write(Json.object("error", errorJson(p))));
        return p.exitStatus();
    }

    static Map<String, Object> errorJson(Problem p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", p.code().name());
        m.put("path", p.path());
        m.put("message", p.message());
        return m;
    }

    int failure(Exception ex, String command) {
        if (env.env().containsKey("SEMFS_DEBUG")) ex.printStackTrace(env.err());
        return report(Problem.of(ex), command);
    }

    int usageError(ParameterException ex, String[] args) {
        PrintStream err = env.err();
        err.println("semfs: " + ex.getMessage());
        if (ex instanceof UnmatchedArgumentException u) {
            UnmatchedArgumentException.printSuggestions(u, err);
        }
        err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
        return SemfsCli.USAGE;
    }

    /** The version from the jar's Maven metadata; a class-directory run is a development build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws Exception {
            var props = new java.util.Properties();
            try (var in = SemfsCommand.class.getResourceAsStream("/META-INF/maven/dev.semfs/semfs-cli/pom.properties")) {
                if (in == null) return new String[] {"semfs (development build)"};
                props.load(in);
            }
            return new String[] {"semfs " + props.getProperty("version", "(unknown version)")};
        }
    }
}
