package dev.semfs.cli.internal;

import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Summary;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "summarize", description = {"Summarise files, folders, the best matches of a query, or what changed since a time.",
        "Summaries are extractive: the sentences that carry most of each file, taken from the file itself.",
        "Only what the agent may read is summarised."})
final class SummarizeCommand extends WorkspaceCommand {

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "Files or folders (default: the whole workspace).")
    List<String> paths;

    @Option(names = {"-q", "--query"}, paramLabel = "QUERY", description = "Summarise the best matches of this search instead.")
    String query;

    @Option(names = "--since", paramLabel = "TIME", description = "Summarise what changed since TIME (below PATH), with who did it.")
    Instant since;

    @Option(names = {"-n", "--sentences"}, paramLabel = "N", defaultValue = "3", description = "Sentences per summary (default: ${DEFAULT-VALUE}).")
    int sentences;

    @Override
    int run(Session s) throws IOException {
        Summary r = s.call(new Op.Summarize(paths, query, since, sentences));
        if (s.json()) {
            s.printJson(r);
            return SemfsCli.OK;
        }
        PrintStream o = s.out();
        o.println(r.text().isEmpty() ? "(nothing to summarise)" : r.text());
        if (r.parts().size() > 1 || since != null) {
            for (Summary.Part p : r.parts()) {
                o.println();
                o.println(p.path() + (p.version() > 0 ? "  v" + p.version() : "") + (p.change() == null ? "" : "  (" + p.change() + ")"));
                if (!p.summary().isEmpty()) o.println("    " + p.summary());
            }
        }
        return SemfsCli.OK;
    }
}
