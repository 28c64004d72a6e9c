package dev.semfs.cli.internal;

import dev.semfs.syscalls.RollbackResult;

/** Plain-text rendering of what a rollback or restore changed, shared by both commands. */
final class Changes {
    private Changes() {}

    static void print(Session s, RollbackResult r) {
        if (r.changed().isEmpty()) {
            s.out().println("nothing to change");
            return;
        }
        for (RollbackResult.Entry e : r.changed()) {
            // fromVersion: the version whose content came back (0 when the core does not say).
            String versions = switch (e.action()) {
                case "restored", "recreated" -> e.fromVersion() > 0
                        ? "  (content of v" + e.fromVersion() + ", now v" + e.version() + ")"
                        : "  (now v" + e.version() + ")";
                default -> "";
            };
            s.out().printf("%-10s %s%s%n", e.action(), e.path(), versions);
        }
    }
}
