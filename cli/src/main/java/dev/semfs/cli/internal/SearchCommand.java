package dev.semfs.cli.internal;

import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.SearchResult;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "search", description = {"Find files by meaning (hybrid: semantic + keyword), best first.",
        "Without a running mount, the index first catches up with what changed since it last ran."})
final class SearchCommand extends WorkspaceCommand {

    @Parameters(paramLabel = "QUERY", arity = "1..*", description = "What to look for, in plain words (keyword mode: terms, \"phrases\", AND/OR/NOT).")
    List<String> query;

    @Option(names = "-k", paramLabel = "N", defaultValue = "10", description = "How many files (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "hybrid", description = "hybrid, semantic or keyword (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--path", paramLabel = "PREFIX", description = "Only files below this directory.")
    String path;

    @Option(names = "--type", paramLabel = "EXT", split = ",", description = "Only files with these extensions (md,txt,...).")
    List<String> types;

    @Option(names = "--since", paramLabel = "TIME", description = "Only files modified at or after TIME.")
    Instant since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only files modified at or before TIME.")
    Instant until;

    @Option(names = "--author", paramLabel = "AGENT", description = "Only files whose indexed version this agent wrote.")
    String author;

    @Override
    int run(Session s) throws IOException {
        SearchResult r = s.call(new Op.Search(String.join(" ", query), k, mode, path, types, since, until, null, null, author));
        if (s.json()) {
            s.printJson(r);
            return SemfsCli.OK;
        }
        PrintStream o = s.out();
        if (r.results().isEmpty()) o.println("no matches");
        int rank = 1;
        for (SearchResult.Hit h : r.results()) {
            o.printf("%2d. %-50s %.3f  v%d%s%n", rank++, h.path(), h.score(), h.version(), h.stale() ? "  (changed since indexed)" : "");
            String snippet = h.snippet().replaceAll("\\s+", " ").strip();
            if (snippet.length() > 160) snippet = snippet.substring(0, 157) + "...";
            if (!snippet.isEmpty()) o.println("    " + snippet);
        }
        if (r.indexLag() > 0) s.env().err().printf("semfs: search: the index is %d changes behind%n", r.indexLag());
        return SemfsCli.OK;
    }
}
