package dev.semfs.syscalls.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import dev.semfs.index.ExtractiveSummarizer;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.ChangeList;
import dev.semfs.syscalls.Content;
import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.SearchResult;
import dev.semfs.syscalls.Summary;
import dev.semfs.syscalls.Workspace;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@link Op.Summarize}, composed of the caller's own calls through the workspace's check point
 * (list, read, search, change feed), so a summary can only contain what the caller could have
 * read itself: a file it may not read is never opened, not even to be left out later.
 */
final class Summaries {
    static final int DEFAULT_SENTENCES = 3;
    static final int MAX_FILES = 500;
    static final int SEARCH_HITS = 10;
    /** Enough text for a summary; a longer file is summarised from its beginning. */
    static final int MAX_BYTES = 4 << 20;

    /** Change-log entries that say nothing about a file's content. */
    private static final Set<String> NOT_CONTENT = Set.of("conflict", "mkdir", "rmdir", "setattr", "xattr");

    private final Workspace ws;

    Summaries(Workspace ws) {
        this.ws = ws;
    }

    Summary summarize(Caller c, Op.Summarize op) throws IOException {
        int n = op.sentences() == 0 ? DEFAULT_SENTENCES : op.sentences();
        if (n < 0 || n > 100) throw new SemfsException(ErrorCode.INVALID_ARGUMENT, null, "sentences must be between 1 and 100");
        List<String> roots = op.paths() == null || op.paths().isEmpty() ? List.of("/") : op.paths();
        List<Summary.Part> parts = new ArrayList<>();
        String preface = "";
        if (op.since() != null) {
            Map<String, List<ChangeList.ChangeEntry>> changed = changesSince(c, op.since(), roots);
            for (Map.Entry<String, List<ChangeList.ChangeEntry>> e : changed.entrySet()) {
                if (isDirectory(c, e.getKey())) continue;
                parts.add(part(c, e.getKey(), n, describe(e.getValue())));
            }
            preface = parts.isEmpty() ? "Nothing changed since " + op.since() + "."
                    : parts.size() + (parts.size() == 1 ? " file" : " files") + " changed since " + op.since() + ".";
        } else if (op.query() != null && !op.query().isBlank()) {
            SearchResult r = ws.call(c, Op.Search.of(op.query(), SEARCH_HITS));
            Set<String> seen = new LinkedHashSet<>();
            for (SearchResult.Hit h : r.results()) if (seen.add(h.path())) parts.add(part(c, h.path(), n, null));
        } else {
            Set<String> files = new java.util.TreeSet<>();
            // A named path the caller may not read is an error, as a read of it would be.
            for (String root : roots) collect(c, ws.call(c, new Op.Stat(root, false)), files);
            for (String f : files) parts.add(part(c, f, n, null));
        }
        String body;
        if (parts.size() == 1) {
            body = parts.getFirst().summary();
        } else {
            StringBuilder all = new StringBuilder();
            for (Summary.Part p : parts) all.append(p.summary()).append("\n\n");
            body = ExtractiveSummarizer.summarize(all.toString(), n);
        }
        String text = preface.isEmpty() ? body : body.isEmpty() ? preface : preface + " " + body;
        return new Summary("extractive", text, parts);
    }

    /** Files under {@code info} the caller may see, depth first, from the listings' own entries. */
    private void collect(Caller c, FileInfo info, Set<String> out) throws IOException {
        if (out.size() >= MAX_FILES) {
            throw new SemfsException(ErrorCode.INVALID_ARGUMENT, info.path(), "more than " + MAX_FILES
                    + " files to summarise; name a smaller folder or use a query");
        }
        if (info.isFile()) {
            out.add(info.path());
        } else if (info.isDirectory()) {
            // A listing holds only what the caller may see, each entry with its type: no stat per entry.
            for (FileInfo e : ws.call(c, new Op.ListDir(info.path())).entries()) collect(c, e, out);
        }
    }

    /** The summary of one file; a file deleted since is an empty summary at version 0. */
    private Summary.Part part(Caller c, String path, int n, String change) throws IOException {
        FileInfo info;
        Content content;
        try {
            info = ws.call(c, new Op.Stat(path, true));
            content = ws.call(c, new Op.ReadFile(path, 0, MAX_BYTES));
        } catch (NoSuchFileException gone) {
            return new Summary.Part(path, 0, "", change);
        }
        String text = ExtractiveSummarizer.textOf(path, content.data());
        return new Summary.Part(path, info.version(), ExtractiveSummarizer.summarize(text, n), change);
    }

    /** Paths changed since {@code since} below one of {@code roots}, each with its entries, by path. */
    private Map<String, List<ChangeList.ChangeEntry>> changesSince(Caller c, Instant since, List<String> roots) throws IOException {
        long from = since.getEpochSecond() * 1_000_000_000L + since.getNano();
        Map<String, List<ChangeList.ChangeEntry>> byPath = new TreeMap<>();
        String prefix = roots.size() == 1 ? roots.getFirst() : "/";
        long after = 0;
        while (true) {
            ChangeList page = ws.call(c, new Op.Changes(after, 10_000, prefix));
            if (page.changes().isEmpty()) break;
            for (ChangeList.ChangeEntry e : page.changes()) {
                if (e.time() < from || e.path() == null || NOT_CONTENT.contains(e.op())) continue;
                String path = e.toPath() != null && e.toPath().startsWith("/") ? e.toPath() : e.path();
                if (roots.stream().anyMatch(r -> under(path, r))) byPath.computeIfAbsent(path, k -> new ArrayList<>()).add(e);
            }
            after = page.next();
        }
        return byPath;
    }

    private boolean isDirectory(Caller c, String path) throws IOException {
        try {
            return ws.call(c, new Op.Stat(path, false)).isDirectory();
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    private static boolean under(String path, String root) {
        return root.equals("/") || path.equals(root) || path.startsWith(root + "/");
    }

    /** "written 3 times, renamed from /a by alice, bob". */
    private static String describe(List<ChangeList.ChangeEntry> entries) {
        Map<String, Integer> ops = new LinkedHashMap<>();
        Set<String> agents = new LinkedHashSet<>();
        for (ChangeList.ChangeEntry e : entries) {
            String what = switch (e.op()) {
                case "write" -> "written";
                case "delete" -> "deleted";
                case "create" -> "created";
                case "rename" -> "renamed";
                default -> e.op();
            };
            ops.merge(what, 1, Integer::sum);
            agents.add(e.agent());
        }
        List<String> said = new ArrayList<>();
        ops.forEach((what, count) -> said.add(count == 1 ? what : what + " " + count + " times"));
        return String.join(", ", said) + " by " + String.join(", ", agents);
    }
}
