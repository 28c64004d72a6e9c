package dev.semfs.cli.internal;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/** Builds the {@code semfs} command line and runs one invocation of it. */
public final class SemfsCli {
    /** Exit status: success. */
    public static final int OK = 0;
    /** Exit status: the operation failed; one line on stderr says why. */
    public static final int FAILED = 1;
    /** Exit status: the command line itself was wrong. */
    public static final int USAGE = 2;

    private SemfsCli() {}

    /** Parses {@code args}, runs the chosen subcommand against {@code env}, returns the exit status. */
    public static int run(String[] args, CliEnv env) {
        return commandLine(env).execute(args);
    }

    static CommandLine commandLine(CliEnv env) {
        SemfsCommand root = new SemfsCommand(env);
        TimeExpressions times = new TimeExpressions(env.clock());
        CommandLine cl = new CommandLine(root);
        cl.setOut(new PrintWriter(env.out(), true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(env.err(), true, StandardCharsets.UTF_8));
        cl.registerConverter(Instant.class, text -> {
            try {
                return times.parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        });
        cl.setParameterExceptionHandler(root::usageError);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> root.failure(ex, commandLine.getCommandName()));
        return cl;
    }
}
