package dev.semfs.cli.internal;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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
        return commandLine(env, args).execute(args);
    }

    /**
     * The command line for {@code args}. picocli builds its model by reflection, a quarter of a
     * second for all subcommands; so when {@code args} name a subcommand, only that one is
     * registered. Anything else (no subcommand, help, a typo) gets all of them, for the usage
     * text and suggestions.
     */
    static CommandLine commandLine(CliEnv env, String[] args) {
        SemfsCommand root = new SemfsCommand(env);
        TimeExpressions times = new TimeExpressions(env.clock());
        CommandLine cl = new CommandLine(root);
        Class<?> only = subcommand(args);
        for (Class<?> c : SemfsCommand.SUBCOMMANDS) {
            if (only == null || c == only) cl.addSubcommand(c);
        }
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

    /** The subcommand class the first positional argument names, skipping global options; null if none. */
    private static Class<?> subcommand(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--store") || a.equals("--agent")) {
                i++;
            } else if (a.equals("--")) {
                return null;
            } else if (!a.startsWith("-")) {
                for (Class<?> c : SemfsCommand.SUBCOMMANDS) {
                    if (c != CommandLine.HelpCommand.class && c.getAnnotation(Command.class).name().equals(a)) return c;
                }
                return null;
            }
        }
        return null;
    }
}
