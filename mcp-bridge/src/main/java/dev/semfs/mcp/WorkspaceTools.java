package dev.semfs.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.Content;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Workspace;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The core API as MCP tools: one tool per operation, each a single {@link Workspace#call} as the
 * session's agent, so permissions, audit and versioning are the core's. Results are the core's
 * response records as JSON text; failures are tool results with {@code isError} and the core's
 * error code and message, so an agent can read why and correct itself (a protocol error would
 * only tell it that the call was malformed).
 */
final class WorkspaceTools {
    /** Larger reads come in parts: an agent's context is no place for a whole disk image. */
    static final int MAX_READ = 1 << 20;

    private final Workspace ws;
    private final Supplier<Caller> caller;
    private final ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    WorkspaceTools(Workspace ws, Supplier<Caller> caller) {
        this.ws = ws;
        this.caller = caller;
    }

    private interface Handler {
        Object run(Args a) throws IOException;
    }

    List<SyncToolSpecification> all() {
        List<SyncToolSpecification> t = new ArrayList<>();
        t.add(tool("read_file", "Read a file (UTF-8 text, or base64 for binary), with its version number. Large files: use offset and length.",
                a -> read(a), p("path", "string", "Workspace path, e.g. /notes/plan.md", true),
                p("offset", "integer", "Byte offset to start at (default 0)", false),
                p("length", "integer", "Bytes to read (default: to the end, at most 1 MiB)", false)));
        t.add(tool("write_file", "Create or replace a file (or append to it); every write is a new version that can be rolled back.",
                a -> ws.call(caller.get(), new Op.WriteFile(a.path("path"), a.string("content").getBytes(StandardCharsets.UTF_8),
                        a.bool("append", false), a.bool("create_parents", true))),
                p("path", "string", "Workspace path", true), p("content", "string", "The new text", true),
                p("append", "boolean", "Append instead of replacing (default false)", false),
                p("create_parents", "boolean", "Create missing parent directories (default true)", false)));
        t.add(tool("edit_file", "Replace one exact occurrence of old_text with new_text in a file (a new version). Fails if old_text is missing or not unique.",
                a -> edit(a), p("path", "string", "Workspace path", true),
                p("old_text", "string", "Text to replace; must occur exactly once", true), p("new_text", "string", "Replacement", true)));
        t.add(tool("delete", "Delete a file, symlink or directory (recursive for a non-empty one). Its history stays: rollback can bring it back.",
                a -> ws.call(caller.get(), new Op.Remove(a.path("path"), a.bool("recursive", false))),
                p("path", "string", "Workspace path", true), p("recursive", "boolean", "Delete a directory with its contents", false)));
        t.add(tool("move", "Move or rename a file or directory (replaces an existing file at the target).",
                a -> ws.call(caller.get(), new Op.Move(a.path("from"), a.path("to"))),
                p("from", "string", "Current path", true), p("to", "string", "New path", true)));
        t.add(tool("mkdir", "Create a directory (and its parents).", a -> ws.call(caller.get(), new Op.Mkdir(a.path("path"), true, 0755)),
                p("path", "string", "Workspace path", true)));
        t.add(tool("list_directory", "List a directory: names, types, sizes, version numbers.",
                a -> ws.call(caller.get(), new Op.ListDir(a.optString("path", "/"))), p("path", "string", "Directory (default /)", false)));
        t.add(tool("stat", "Metadata of a path: type, size, mode, times, newest version.",
                a -> ws.call(caller.get(), new Op.Stat(a.path("path"), false)), p("path", "string", "Workspace path", true)));
        t.add(tool("search", "Find files by meaning and keywords (hybrid), best first, with snippets. Filters: path prefix, types, modified since/until (ISO-8601).",
                a -> ws.call(caller.get(), new Op.Search(a.string("query"), a.integer("k", 10), a.optString("mode", null),
                        a.optString("path_prefix", null), a.stringList("types"), a.time("since"), a.time("until"), null, null, null)),
                p("query", "string", "What to look for, in plain words", true), p("k", "integer", "How many files (default 10)", false),
                p("mode", "string", "hybrid (default), semantic or keyword", false), p("path_prefix", "string", "Only below this directory", false),
                p("types", "array", "Only these extensions, e.g. [\"md\",\"txt\"]", false),
                p("since", "string", "Only files modified at or after this ISO-8601 time", false),
                p("until", "string", "Only files modified at or before this ISO-8601 time", false)));
        t.add(tool("summarize", "Summarise files or folders, the best matches of a query, or what changed since a time (with who did it).",
                a -> ws.call(caller.get(), new Op.Summarize(a.stringList("paths"), a.optString("query", null), a.time("since"), a.integer("sentences", 0))),
                p("paths", "array", "Files or folders (default: the whole workspace)", false), p("query", "string", "Summarise these search hits instead", false),
                p("since", "string", "Summarise the changes since this ISO-8601 time", false), p("sentences", "integer", "Sentences per summary (default 3)", false)));
        t.add(tool("history", "Versions of a file, oldest first: number, time, agent, reason, size.",
                a -> ws.call(caller.get(), new Op.Log(a.path("path"))), p("path", "string", "Workspace path (also of a deleted file)", true)));
        t.add(tool("diff", "Line diff between two versions of a file (default: the last change), with the sections that changed.",
                a -> ws.call(caller.get(), new Op.Diff(a.path("path"), a.optLong("from"), a.optLong("to"))),
                p("path", "string", "Workspace path", true), p("from", "integer", "Older version number", false),
                p("to", "integer", "Newer version number (default: the live file)", false)));
        t.add(tool("rollback", "Roll a file (or, with at, a directory tree) back to a version: to_version, back N versions, or at an ISO-8601 time. The rollback is itself a new version.",
                a -> ws.call(caller.get(), new Op.Rollback(a.path("path"), new Op.RollbackTarget(a.optLong("to_version"),
                        a.optLong("back") == null ? null : a.optLong("back").intValue(), a.time("at")))),
                p("path", "string", "Workspace path", true), p("to_version", "integer", "Version number", false),
                p("back", "integer", "Versions back", false), p("at", "string", "ISO-8601 time", false)));
        t.add(tool("snapshot", "Take a snapshot of the whole workspace (cheap: no content is copied).",
                a -> ws.call(caller.get(), new Op.Snapshot(a.optString("name", null))), p("name", "string", "Optional name", false)));
        t.add(tool("list_snapshots", "Snapshots of the workspace.", a -> ws.call(caller.get(), new Op.ListSnapshots())));
        t.add(tool("restore", "Restore the workspace, or one path, to a snapshot (as new versions: undoable).",
                a -> ws.call(caller.get(), new Op.Restore(a.string("snapshot"), a.optString("path", null))),
                p("snapshot", "string", "Snapshot id or name", true), p("path", "string", "Only this path", false)));
        t.add(tool("changes", "The change feed: who changed what, after a sequence number (poll with the returned next).",
                a -> ws.call(caller.get(), new Op.Changes(a.optLong("after") == null ? 0 : a.optLong("after"), a.integer("max", 100),
                        a.optString("path_prefix", null))),
                p("after", "integer", "Sequence number to continue after (default 0)", false),
                p("max", "integer", "At most this many entries (default 100)", false), p("path_prefix", "string", "Only below this path", false)));
        return t;
    }

    private Object read(Args a) throws IOException {
        Content c = ws.call(caller.get(), new Op.ReadFile(a.path("path"), a.integer("offset", 0), a.integer("length", MAX_READ)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("path", c.path());
        out.put("offset", c.offset());
        out.put("size", c.size());
        out.put("version", ws.call(caller.get(), new Op.Stat(c.path(), true)).version());
        try {
            out.put("content", StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(c.data())).toString());
            out.put("encoding", "utf-8");
        } catch (CharacterCodingException binary) {
            out.put("content", Base64.getEncoder().encodeToString(c.data()));
            out.put("encoding", "base64");
        }
        if (c.offset() + c.data().length < c.size()) out.put("more", "the file goes on: read again with offset " + (c.offset() + c.data().length));
        return out;
    }

    private Object edit(Args a) throws IOException {
        String path = a.path("path");
        String old = a.string("old_text");
        if (old.isEmpty()) throw new SemfsException(ErrorCode.INVALID_ARGUMENT, path, "old_text is empty");
        Content c = ws.call(caller.get(), new Op.ReadFile(path, 0, -1));
        String text = new String(c.data(), StandardCharsets.UTF_8);
        int at = text.indexOf(old);
        if (at < 0) throw new SemfsException(ErrorCode.INVALID_ARGUMENT, path, "old_text does not occur in the file");
        if (text.indexOf(old, at + 1) >= 0) throw new SemfsException(ErrorCode.INVALID_ARGUMENT, path, "old_text occurs more than once; give more context");
        String edited = text.substring(0, at) + a.string("new_text") + text.substring(at + old.length());
        return ws.call(caller.get(), new Op.WriteFile(path, edited.getBytes(StandardCharsets.UTF_8), false, false));
    }

    private SyncToolSpecification tool(String name, String description, Handler h, Map<String, Object>... props) {
        Map<String, Object> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (Map<String, Object> p : props) {
            String n = (String) p.get("name");
            Map<String, Object> schema = new LinkedHashMap<>(p);
            schema.remove("name");
            schema.remove("required");
            properties.put(n, schema);
            if (Boolean.TRUE.equals(p.get("required"))) required.add(n);
        }
        McpSchema.Tool tool = McpSchema.Tool.builder().name(name).description(description)
                .inputSchema(new McpSchema.JsonSchema("object", properties, required, false, null, null)).build();
        return new SyncToolSpecification(tool, (exchange, request) -> {
            try {
                Object result = h.run(new Args(request.arguments() == null ? Map.of() : request.arguments()));
                return McpSchema.CallToolResult.builder().addTextContent(json.writeValueAsString(result)).build();
            } catch (IOException | RuntimeException e) {
                return McpSchema.CallToolResult.builder().isError(true).addTextContent(describe(e)).build();
            }
        });
    }

    /** "NOT_FOUND: /a.txt: no such file or directory", with the thrower's own reason where it gave one. */
    static String describe(Throwable e) {
        ErrorCode code = ErrorCode.of(e);
        if (!(e instanceof IOException) && !(e instanceof IllegalArgumentException)) {
            return code + ": internal error: " + e; // not an error the core documents: say so rather than guess
        }
        StringBuilder b = new StringBuilder(code.name()).append(": ");
        String reason = e.getMessage();
        if (e instanceof java.nio.file.FileSystemException f) {
            if (f.getFile() != null) b.append(f.getFile()).append(": ");
            reason = f.getReason();
            if (reason != null && reason.equals(f.getFile())) reason = null;
        }
        return b.append(reason == null || reason.isBlank() ? code.phrase() : reason).toString();
    }

    private static Map<String, Object> p(String name, String type, String description, boolean required) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("type", type);
        if (type.equals("array")) m.put("items", Map.of("type", "string"));
        m.put("description", description);
        m.put("required", required);
        return m;
    }

    /** Tool arguments with clear errors for missing or mistyped ones. */
    private record Args(Map<String, Object> m) {
        String string(String k) throws SemfsException {
            Object v = m.get(k);
            if (v == null) throw invalid(k, "is required");
            if (!(v instanceof String s)) throw invalid(k, "must be a string");
            return s;
        }

        String path(String k) throws SemfsException {
            return string(k);
        }

        String optString(String k, String dflt) throws SemfsException {
            return m.get(k) == null ? dflt : string(k);
        }

        int integer(String k, int dflt) throws SemfsException {
            Long v = optLong(k);
            if (v == null) return dflt;
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw invalid(k, "is out of range");
            return v.intValue();
        }

        Long optLong(String k) throws SemfsException {
            Object v = m.get(k);
            if (v == null) return null;
            if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return n.longValue();
            throw invalid(k, "must be an integer");
        }

        boolean bool(String k, boolean dflt) throws SemfsException {
            Object v = m.get(k);
            if (v == null) return dflt;
            if (v instanceof Boolean b) return b;
            throw invalid(k, "must be true or false");
        }

        List<String> stringList(String k) throws SemfsException {
            Object v = m.get(k);
            if (v == null) return null;
            if (v instanceof String s) return List.of(s);
            if (!(v instanceof List<?> l)) throw invalid(k, "must be a list of strings");
            List<String> out = new ArrayList<>();
            for (Object o : l) {
                if (!(o instanceof String s)) throw invalid(k, "must be a list of strings");
                out.add(s);
            }
            return out;
        }

        Instant time(String k) throws SemfsException {
            String s = optString(k, null);
            if (s == null) return null;
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                try {
                    return java.time.OffsetDateTime.parse(s).toInstant();
                } catch (DateTimeParseException e2) {
                    throw invalid(k, "must be an ISO-8601 time such as 2026-12-01T09:30:00Z, not '" + s + "'");
                }
            }
        }

        private static SemfsException invalid(String k, String why) {
            return new SemfsException(ErrorCode.INVALID_ARGUMENT, null, "argument " + k + " " + why);
        }
    }
}
