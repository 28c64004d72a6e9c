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
            String versions = switch (e.action()) {
                case "restored", "recreated" -> "  (v" + e.fromVersion() + " -> new v" + e.version() + ")";
                default -> "";
            };
            s.out().printf("%-10s %s%s%n", e.action(), e.path(), versions);
        }
    }
}
