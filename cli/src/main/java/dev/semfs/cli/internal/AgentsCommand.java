package dev.semfs.cli.internal;

import dev.semfs.syscalls.AgentInfo;
import dev.semfs.syscalls.AgentToken;
import dev.semfs.syscalls.Agents;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.RollbackResult;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code semfs agents}: identities, their path rights, and undoing what one of them did. */
@Command(name = "agents", description = {"Agents sharing the workspace (owner only, except list and undo of oneself):",
        "  agents                          list agents and their rules",
        "  agents create NAME              new agent, no rights yet; prints its token once",
        "  agents remove NAME",
        "  agents token NAME               a new token (the old one stops working)",
        "  agents grant NAME PATH RIGHT    read, write or none on PATH and below (most specific wins)",
        "  agents revoke NAME PATH",
        "  agents admin NAME on|off        snapshots, gc, the whole audit trail",
        "  agents undo NAME --since TIME   undo what NAME changed since TIME, as new versions"})
final class AgentsCommand extends WorkspaceCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "ACTION") String action;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "ARG") List<String> args = List.of();

    @Option(names = "--since", paramLabel = "TIME", description = "With undo: the time from which to undo.") Instant since;

    @Override
    int run(Session s) throws IOException {
        if (action == null || action.equals("list")) return list(s);
        return switch (action) {
            case "create" -> {
                AgentToken t = s.call(new Op.AgentCreate(arg(0, "NAME", 1)));
                if (s.json()) s.printJson(t);
                else s.out().printf("created agent %s%ntoken: %s%n(shown once: keep it for network front ends)%n", t.agent(), t.token());
                yield SemfsCli.OK;
            }
            case "remove" -> done(s, new Op.AgentRemove(arg(0, "NAME", 1)), "removed agent " + args.getFirst());
            case "token" -> {
                AgentToken t = s.call(new Op.AgentNewToken(arg(0, "NAME", 1)));
                if (s.json()) s.printJson(t);
                else s.out().println(t.token());
                yield SemfsCli.OK;
            }
            case "grant" -> done(s, new Op.Grant(arg(0, "NAME", 3), arg(1, "PATH", 3), arg(2, "RIGHT", 3)),
                    args.get(0) + ": " + args.get(2) + " on " + args.get(1));
            case "revoke" -> done(s, new Op.Revoke(arg(0, "NAME", 2), arg(1, "PATH", 2)), args.get(0) + ": rule for " + args.get(1) + " revoked");
            case "admin" -> {
                boolean on = switch (arg(1, "on|off", 2)) {
                    case "on", "true", "yes" -> true;
                    case "off", "false", "no" -> false;
                    default -> throw new ParameterException(spec.commandLine(), "admin takes on or off, not " + args.get(1));
                };
                yield done(s, new Op.SetAdmin(arg(0, "NAME", 2), on), args.get(0) + (on ? " is an admin" : " is not an admin"));
            }
            case "undo" -> {
                if (since == null) throw new ParameterException(spec.commandLine(), "undo needs --since TIME");
                RollbackResult r = s.call(new Op.Undo(arg(0, "NAME", 1), AuditCommand.nanos(since)));
                if (s.json()) s.printJson(r);
                else Changes.print(s, r);
                yield SemfsCli.OK;
            }
            default -> throw new ParameterException(spec.commandLine(), "unknown action '" + action
                    + "': use list, create, remove, token, grant, revoke, admin or undo");
        };
    }

    private String arg(int i, String label, int count) {
        if (args.size() != count) {
            throw new ParameterException(spec.commandLine(), "'agents " + action + "' takes " + count + " argument"
                    + (count == 1 ? "" : "s") + " (missing or extra " + label + ")");
        }
        return args.get(i);
    }

    private int done(Session s, Op<?> op, String message) throws IOException {
        s.call(op);
        if (s.json()) s.printJson(Map.of("done", message));
        else s.out().println(message);
        return SemfsCli.OK;
    }

    private int list(Session s) throws IOException {
        Agents a = s.call(new Op.AgentList());
        if (s.json()) {
            s.printJson(a);
            return SemfsCli.OK;
        }
        PrintStream o = s.out();
        for (AgentInfo i : a.agents()) {
            o.printf("%-16s%s%s%n", i.name(), i.admin() ? " admin" : "", i.hasToken() ? " (has a token)" : "");
            for (AgentInfo.Rule r : i.rules()) o.printf("    %-6s %s%n", r.right(), r.pathPrefix());
        }
        return SemfsCli.OK;
    }
}
