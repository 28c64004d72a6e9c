package dev.semfs.cli.internal;

import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Workspace;
import java.io.IOException;
import java.io.PrintStream;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One subcommand's view of the run: the workspace, who acts, where output goes. */
final class Session {
    private final SemfsCommand root;
    private final Workspace workspace;
    private final Caller caller;
    private final String command;
    private final List<Map<String, Object>> errors = new ArrayList<>();

    Session(SemfsCommand root, Workspace workspace, String command) {
        this.root = root;
        this.workspace = workspace;
        this.command = command;
        this.caller = Caller.of(root.agent, "cli");
    }

    /** One core call, as the agent of this run. */
    <R> R call(Op<R> op) throws IOException {
        return workspace.call(caller, op);
    }

    /** The workspace itself, for a front end that makes its own calls (the MCP server). */
    Workspace workspace() {
        return workspace;
    }

    boolean json() {
        return root.json;
    }

    PrintStream out() {
        return root.env().out();
    }

    CliEnv env() {
        return root.env();
    }

    ZoneId zone() {
        return root.env().clock().getZone();
    }

    String store() {
        return root.storeDir().toString();
    }

    void printJson(Object value) {
        out().println(Json.write(value));
    }

    /**
     * Records the failure of one item of a multi-path command (the command goes on with the
     * others, as cp and rm do): the line goes to stderr now; the JSON form is kept for the
     * command's result document.
     */
    int fail(Throwable t) {
        Problem p = Problem.of(t);
        root.env().err().println(p.line(command));
        errors.add(SemfsCommand.errorJson(p));
        return p.exitStatus();
    }

    /** Failures recorded by {@link #fail}, in --json form. */
    List<Map<String, Object>> errors() {
        return errors;
    }
}
