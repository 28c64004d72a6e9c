package dev.semfs.cli;

import dev.semfs.cli.internal.CliEnv;
import dev.semfs.cli.internal.SemfsCli;

/**
 * Entry point of the {@code semfs} command. Exit status: 0 success, 1 the operation failed
 * (one line on stderr says why), 2 usage error.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Libraries below us log through slf4j-simple; their INFO chatter must not mix with
        // command output on a terminal. An explicit -D setting still wins.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        CliEnv env = CliEnv.system(WorkspaceOpener.standard());
        int status;
        try {
            status = SemfsCli.run(args, env);
        } finally {
            env.out().flush();
            env.err().flush();
        }
        System.exit(status);
    }
}
