package dev.semfs.cli.internal;

import dev.semfs.syscalls.GcInfo;
import dev.semfs.syscalls.Op;
import java.io.IOException;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(name = "gc", description = {
        "Drop versions outside a retention policy and delete content no version refers to.",
        "The newest version of every file and every version a snapshot refers to are always kept."})
final class GcCommand extends WorkspaceCommand {
    private static final Pattern RETENTION = Pattern.compile("all|thinned|last:[1-9][0-9]*|days:[0-9]+");

    private String retention = "all";

    @Option(names = "--retention", paramLabel = "POLICY", defaultValue = "all", description = {
            "all (default: only unreferenced content goes), last:N (newest N versions per file),",
            "days:D (versions younger than D days), thinned (all of the last day, hourly for a week,",
            "daily for a month, weekly after)."})
    void retention(String value) {
        // Syntax is checked here so a typo is a usage error (exit 2) before the store is opened.
        if (!RETENTION.matcher(value).matches()) {
            throw new ParameterException(spec.commandLine(),
                    "--retention must be all, last:N, days:D or thinned, not '" + value + "'");
        }
        retention = value;
    }

    @Override
    int run(Session s) throws IOException {
        GcInfo info = s.call(new Op.Gc(retention));
        if (s.json()) {
            s.printJson(info);
        } else {
            s.out().printf("retention %s: dropped %d versions, deleted %d chunks, reclaimed %s in %d ms%n",
                    info.retention(), info.versionsDropped(), info.chunksDeleted(),
                    Formats.bytes(info.bytesReclaimed()), info.millis());
        }
        return SemfsCli.OK;
    }
}
