package dev.semfs.cli.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every subcommand, in-process, against a workspace in a temp directory. */
class CliCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    MutableClock clock;
    CliHarness cli;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.parse("2025-06-01T12:00:00Z"));
        cli = new CliHarness(tmp, clock);
    }

    private CliHarness.Result ok(String... args) {
        CliHarness.Result r = cli.run(args);
        assertEquals(0, r.status(), () -> String.join(" ", args) + " -> " + r);
        return r;
    }

    private CliHarness.Result write(String path, String text, String... flags) {
        List<String> args = new ArrayList<>(List.of("write", path));
        args.addAll(List.of(flags));
        CliHarness.Result r = cli.runWithInput(text.getBytes(StandardCharsets.UTF_8), args.toArray(String[]::new));
        assertEquals(0, r.status(), () -> "write " + path + " -> " + r);
        return r;
    }

    private static JsonNode json(CliHarness.Result r) throws IOException {
        return JSON.readTree(r.outBytes());
    }

    // --- usage -------------------------------------------------------------------------------

    @Test
    void noCommandIsAUsageError() {
        CliHarness.Result r = cli.run();
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("Usage: semfs"), r::toString);
        assertEquals("", r.out());
    }

    @Test
    void aSpinOutOfRangeIsAUsageErrorBeforeAnythingIsMounted() {
        for (String spin : List.of("-1", "1000001")) {
            CliHarness.Result r = cli.run("mount", "--spin", spin, tmp.resolve("mnt").toString());
            assertEquals(2, r.status(), r::toString);
            assertTrue(r.err().contains("--spin must be 0 to 1000000 microseconds"), r.err());
            assertFalse(Files.exists(tmp.resolve("mnt")), "no mount point made");
        }
    }

    @Test
    void unknownCommandIsAUsageErrorWithASuggestion() {
        CliHarness.Result r = cli.run("lss", "/");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().startsWith("semfs: "), r::toString);
        assertTrue(r.err().contains("ls"), r::toString);
    }

    @Test
    void helpGoesToStdoutAndSucceeds() {
        CliHarness.Result r = ok("--help");
        assertTrue(r.out().contains("Usage: semfs"), r::toString);
        for (String sub : List.of("init", "status", "import", "export", "ls", "cat", "write", "rm", "mv", "mkdir",
                "log", "diff", "rollback", "snapshot", "snapshots", "restore", "gc")) {
            assertTrue(Pattern.compile("^\\s+" + sub + "\\b", Pattern.MULTILINE).matcher(r.out()).find(),
                    "help lists " + sub + ":\n" + r.out());
        }
    }

    @Test
    void missingArgumentIsAUsageError() {
        ok("init");
        CliHarness.Result r = cli.run("mv", "/a");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("Missing required parameter"), r::toString);
    }

    @Test
    void commandsOtherThanInitNeedAStore() {
        CliHarness.Result r = cli.run("ls", "/");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().startsWith("semfs: ls " + cli.store() + ": no such file or directory"), r::toString);
    }

    @Test
    void aStoreHeldElsewhereIsAFailureThatSaysSo() throws IOException {
        ok("init");
        try (var held = dev.semfs.syscalls.Workspaces.open(cli.store())) {
            CliHarness.Result r = cli.run("ls", "/");
            assertEquals(1, r.status(), r::toString);
            assertTrue(r.err().startsWith("semfs: ls " + cli.store() + ": conflict (store is in use"), r::toString);
        }
        ok("ls", "/");
    }

    @Test
    void commandsGoThroughTheDaemonThatHoldsTheStore() throws IOException {
        ok("init");
        try (var held = dev.semfs.syscalls.Workspaces.open(cli.store());
             var daemon = dev.semfs.syscalls.Workspaces.serve(held, cli.store())) {
            write("/via-daemon.txt", "served");
            assertEquals("served", ok("cat", "/via-daemon.txt").out());
            CliHarness.Result missing = cli.run("cat", "/nope");
            assertEquals(1, missing.status(), missing::toString);
            assertEquals("semfs: cat /nope: no such file or directory" + System.lineSeparator(), missing.err());
            assertEquals("via-daemon.txt" + System.lineSeparator(), ok("ls", "/").out());
        }
        assertEquals("served", ok("cat", "/via-daemon.txt").out(), "and in the store once the daemon is gone");
    }

    @Test
    void aStaleDaemonSocketIsIgnored() throws IOException {
        ok("init");
        write("/f", "still here");
        // What a killed daemon leaves behind: the socket's name with nobody listening.
        java.nio.file.Files.writeString(dev.semfs.syscalls.Workspaces.socketOf(cli.store()), "");
        assertEquals("still here", ok("cat", "/f").out());
    }

    @Test
    void theStoreDefaultsToSemfsStoreThenHome() {
        CliHarness.Result home = cli.runRaw(new byte[0], "init");
        assertEquals(0, home.status(), home::toString);
        assertTrue(java.nio.file.Files.isDirectory(tmp.resolve(".local/share/semfs/default")), home::toString);

        Path fromEnv = tmp.resolve("env-store");
        cli.environment = java.util.Map.of("SEMFS_STORE", fromEnv.toString());
        assertEquals(0, cli.runRaw(new byte[0], "init").status());
        assertTrue(java.nio.file.Files.isDirectory(fromEnv));

        Path explicit = tmp.resolve("explicit");
        assertEquals(0, cli.runRaw(new byte[0], "init", "--store", explicit.toString()).status(), "--store after the subcommand");
        assertTrue(java.nio.file.Files.isDirectory(explicit));
    }

    // --- files -------------------------------------------------------------------------------

    @Test
    void writeFromStdinThenCat() {
        ok("init");
        write("/notes/a.txt", "hello\n", "-p");
        assertEquals("hello\n", ok("cat", "/notes/a.txt").out());
        write("/notes/a.txt", "world\n", "--append");
        assertEquals("hello\nworld\n", ok("cat", "notes/a.txt").out());
        write("/notes/a.txt", "replaced");
        assertEquals("replaced", ok("cat", "/notes//a.txt").out());
    }

    @Test
    void binaryContentSurvivesWriteAndCat() {
        ok("init");
        byte[] data = new byte[300_000];
        long seed = 42;
        new java.util.Random(seed).nextBytes(data);
        assertEquals(0, cli.runWithInput(data, "write", "/bin.dat").status());
        assertArrayEquals(data, ok("cat", "/bin.dat").outBytes(), "seed " + seed);
    }

    @Test
    void largeInputIsStreamedInAndAppendedTo() throws IOException {
        ok("init");
        long seed = 7;
        java.util.Random rnd = new java.util.Random(seed);
        byte[] big = new byte[WriteCommand.WHOLE_WRITE_LIMIT + 3 * Transfers.CHUNK + 17];
        rnd.nextBytes(big);
        assertEquals(0, cli.runWithInput(big, "write", "-p", "/large/blob.bin").status(), "seed " + seed);
        assertArrayEquals(big, ok("cat", "/large/blob.bin").outBytes(), "seed " + seed);

        byte[] more = new byte[WriteCommand.WHOLE_WRITE_LIMIT + 5];
        rnd.nextBytes(more);
        CliHarness.Result r = cli.runWithInput(more, "--json", "write", "--append", "/large/blob.bin");
        assertEquals(0, r.status(), r::toString);
        assertEquals(big.length + more.length, json(r).get("size").asLong());
        byte[] both = java.util.Arrays.copyOf(big, big.length + more.length);
        System.arraycopy(more, 0, both, big.length, more.length);
        assertArrayEquals(both, ok("cat", "/large/blob.bin").outBytes(), "seed " + seed);
        assertEquals(2, json(ok("--json", "log", "/large/blob.bin")).get("versions").size(), "one version per write");
    }

    @Test
    void catOfAMissingFileSaysSoInOneLine() {
        ok("init");
        CliHarness.Result r = cli.run("cat", "/a/b");
        assertEquals(1, r.status(), r::toString);
        assertEquals("semfs: cat /a/b: no such file or directory" + System.lineSeparator(), r.err());
        assertEquals("", r.out());
    }

    @Test
    void catGoesOnAfterAFailure() {
        ok("init");
        write("/x", "X");
        write("/y", "Y");
        CliHarness.Result r = cli.run("cat", "/x", "/missing", "/y");
        assertEquals(1, r.status(), r::toString);
        assertEquals("XY", r.out());
        assertTrue(r.err().contains("semfs: cat /missing: no such file or directory"), r::toString);
    }

    @Test
    void catOfADirectoryFails() {
        ok("init");
        ok("mkdir", "/d");
        CliHarness.Result r = cli.run("cat", "/d");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().contains("semfs: cat /d: is a directory"), r::toString);
    }

    @Test
    void writeIntoAMissingDirectoryFailsWithoutParents() {
        ok("init");
        CliHarness.Result r = cli.runWithInput("x".getBytes(StandardCharsets.UTF_8), "write", "/no/such/file");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().startsWith("semfs: write /no"), r::toString);
    }

    @Test
    void lsListsSortedWithDirectoriesMarked() {
        ok("init");
        write("/b.txt", "b");
        write("/a.txt", "a");
        ok("mkdir", "/dir");
        assertEquals(String.join(System.lineSeparator(), "a.txt", "b.txt", "dir/", ""), ok("ls").out());
        String longFormat = ok("ls", "-l", "/").out();
        assertTrue(longFormat.lines().anyMatch(l -> l.startsWith("-rw-r--r--") && l.endsWith(" a.txt")), longFormat);
        assertTrue(longFormat.lines().anyMatch(l -> l.startsWith("drwxr-xr-x") && l.endsWith(" dir")), longFormat);
    }

    @Test
    void lsOfAFileShowsTheFile() {
        ok("init");
        write("/f", "12345");
        assertEquals("f" + System.lineSeparator(), ok("ls", "/f").out());
    }

    @Test
    void mkdirRmAndMv() {
        ok("init");
        ok("mkdir", "-p", "/a/b/c");
        CliHarness.Result again = cli.run("mkdir", "/a/b");
        assertEquals(1, again.status(), again::toString);
        assertTrue(again.err().contains("semfs: mkdir /a/b: already exists"), again::toString);
        ok("mkdir", "-p", "/a/b");

        write("/a/b/c/f.txt", "f");
        CliHarness.Result notEmpty = cli.run("rm", "/a");
        assertEquals(1, notEmpty.status(), notEmpty::toString);
        assertTrue(notEmpty.err().contains("semfs: rm /a: directory not empty"), notEmpty::toString);

        ok("mkdir", "/target");
        ok("mv", "/a/b/c/f.txt", "/target");
        assertEquals("f", ok("cat", "/target/f.txt").out());
        ok("mv", "/target/f.txt", "/renamed.txt");
        assertEquals("f", ok("cat", "/renamed.txt").out());

        ok("rm", "-r", "/a");
        CliHarness.Result gone = cli.run("ls", "/a");
        assertEquals(1, gone.status(), gone::toString);
    }

    // --- history -----------------------------------------------------------------------------

    @Test
    void logDiffAndRollbackFlow() throws IOException {
        ok("init");
        write("/doc.md", "# Title\nfirst\n");
        clock.advance(java.time.Duration.ofMinutes(1));
        write("/doc.md", "# Title\nfirst\nsecond\n");

        JsonNode log = json(ok("--json", "log", "/doc.md"));
        assertEquals(2, log.get("versions").size(), log.toString());
        assertEquals(1, log.get("versions").get(0).get("number").asLong());
        String plainLog = ok("log", "/doc.md").out();
        assertTrue(plainLog.contains("2025-06-01 12:00:00") && plainLog.contains("2025-06-01 12:01:00"), plainLog);

        String diff = ok("diff", "/doc.md", "1", "2").out();
        assertTrue(diff.lines().anyMatch(l -> l.equals("+second")), diff);
        JsonNode diffJson = json(ok("diff", "--json", "/doc.md", "1", "2"));
        assertEquals(1, diffJson.get("added").asInt(), diffJson.toString());
        assertFalse(diffJson.get("binary").asBoolean());

        ok("rollback", "/doc.md", "--back", "1");
        assertEquals("# Title\nfirst\n", ok("cat", "/doc.md").out());
        JsonNode after = json(ok("log", "/doc.md", "--json"));
        assertEquals(3, after.get("versions").size(), "a rollback is a new version: " + after);

        // ... so the rollback can itself be undone
        JsonNode undo = json(ok("--json", "rollback", "/doc.md", "--to", "2"));
        assertEquals("/doc.md", undo.get("changed").get(0).get("path").asText(), undo.toString());
        assertEquals("# Title\nfirst\nsecond\n", ok("cat", "/doc.md").out());
    }

    @Test
    void rollbackAtARelativeTime() {
        ok("init");
        write("/t.txt", "morning");
        clock.advance(java.time.Duration.ofHours(2));
        write("/t.txt", "afternoon");
        clock.advance(java.time.Duration.ofMinutes(10));
        ok("rollback", "/t.txt", "--at", "1 hour ago");
        assertEquals("morning", ok("cat", "/t.txt").out());
        ok("rollback", "/t.txt", "--at", "5 minutes ago");
        assertEquals("afternoon", ok("cat", "/t.txt").out());
        ok("rollback", "/t.txt", "--at", "2025-06-01T12:30:00Z");
        assertEquals("morning", ok("cat", "/t.txt").out());
    }

    @Test
    void rollbackNeedsExactlyOneTarget() {
        ok("init");
        write("/t.txt", "x");
        for (String[] args : List.of(new String[] {"rollback", "/t.txt"},
                new String[] {"rollback", "/t.txt", "--to", "1", "--back", "1"},
                new String[] {"rollback", "/t.txt", "--to", "one"})) {
            CliHarness.Result r = cli.run(args);
            assertEquals(2, r.status(), () -> String.join(" ", args) + " -> " + r);
            assertTrue(r.err().startsWith("semfs: "), r::toString);
        }
    }

    @Test
    void rollbackRefusesTimesThatAreNotTimes() {
        ok("init");
        write("/t.txt", "x");
        CliHarness.Result banana = cli.run("rollback", "/t.txt", "--at", "banana 3");
        assertEquals(2, banana.status(), banana::toString);
        assertTrue(banana.err().contains("'banana 3' is not a time"), banana::toString);
        CliHarness.Result future = cli.run("rollback", "/t.txt", "--at", "in 5 minutes");
        assertEquals(2, future.status(), future::toString);
        assertTrue(future.err().contains("in the future"), future::toString);
    }

    @Test
    void snapshotAndRestoreFlow() throws IOException {
        ok("init");
        write("/a.txt", "A1");
        write("/b.txt", "B1");
        JsonNode snap = json(ok("--json", "snapshot", "before"));
        assertEquals("before", snap.get("name").asText(), snap.toString());
        long id = snap.get("id").asLong();

        write("/a.txt", "A2");
        ok("rm", "/b.txt");
        write("/c.txt", "C");

        JsonNode list = json(ok("--json", "snapshots"));
        assertEquals(id, list.get("snapshots").get(0).get("id").asLong(), list.toString());
        assertTrue(ok("snapshots").out().contains("before"));

        String restored = ok("restore", "before").out();
        assertTrue(restored.contains("/a.txt") && restored.contains("/b.txt") && restored.contains("/c.txt"), restored);
        assertEquals("A1", ok("cat", "/a.txt").out());
        assertEquals("B1", ok("cat", "/b.txt").out());
        assertEquals(1, cli.run("cat", "/c.txt").status());

        write("/a.txt", "A3");
        ok("restore", String.valueOf(id), "/a.txt");
        assertEquals("A1", ok("cat", "/a.txt").out());
    }

    @Test
    void restoreOfAnUnknownSnapshotFails() {
        ok("init");
        CliHarness.Result r = cli.run("restore", "nope");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().startsWith("semfs: restore nope: no such file or directory"), r::toString);
    }

    @Test
    void gcChecksTheRetentionSyntax() throws IOException {
        ok("init");
        CliHarness.Result bad = cli.run("gc", "--retention", "forever");
        assertEquals(2, bad.status(), bad::toString);
        assertTrue(bad.err().contains("--retention must be all, last:N, days:D or thinned"), bad::toString);
        assertEquals("last:3", json(ok("--json", "gc", "--retention", "last:3")).get("retention").asText());
        assertTrue(ok("gc").out().startsWith("retention all:"));
    }

    // --- bad paths -----------------------------------------------------------------------------

    @Test
    void pathsThatEscapeTheRootAreRefused() {
        ok("init");
        CliHarness.Result r = cli.run("cat", "/../etc/passwd");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().startsWith("semfs: cat /../etc/passwd: invalid argument"), r::toString);
        CliHarness.Result w = cli.runWithInput(new byte[] {1}, "write", "a/../../b");
        assertEquals(2, w.status(), w::toString);
        assertTrue(w.err().contains("invalid argument"), w::toString);
    }

    @Test
    void errorMessagesStayOnOneLine() {
        ok("init");
        CliHarness.Result r = cli.run("cat", "/two\nlines");
        assertEquals(1, r.status(), r::toString);
        assertEquals("semfs: cat /two\\nlines: no such file or directory" + System.lineSeparator(), r.err());
    }

    @Test
    void nulInAPathIsRefused() {
        ok("init");
        CliHarness.Result r = cli.runWithInput(new byte[] {1}, "write", "/a\0b");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("invalid argument"), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
    }

    // --- JSON ----------------------------------------------------------------------------------

    @Test
    void jsonShapes() throws IOException {
        JsonNode init = json(ok("--json", "init"));
        assertTrue(init.has("files") && init.has("versions") && init.has("indexLag"), init.toString());

        write("/j/x.txt", "text", "-p");
        byte[] binary = {(byte) 0xff, 0, (byte) 0xfe};
        assertEquals(0, cli.runWithInput(binary, "write", "/j/bin").status());

        JsonNode ls = json(ok("ls", "--json", "/j"));
        JsonNode entries = ls.get("listings").get(0).get("entries");
        assertEquals("bin", entries.get(0).get("name").asText(), ls.toString());
        assertEquals("x.txt", entries.get(1).get("name").asText());
        assertEquals("file", entries.get(1).get("type").asText());
        assertEquals(4, entries.get(1).get("size").asLong());
        assertFalse(entries.get(1).has("directory"), "only record components are written: " + ls);
        assertEquals(0, ls.get("errors").size());

        JsonNode cat = json(ok("--json", "cat", "/j/x.txt", "/j/bin"));
        assertEquals("utf-8", cat.get("files").get(0).get("encoding").asText(), cat.toString());
        assertEquals("text", cat.get("files").get(0).get("content").asText());
        assertEquals("base64", cat.get("files").get(1).get("encoding").asText());
        assertArrayEquals(binary, java.util.Base64.getDecoder().decode(cat.get("files").get(1).get("content").asText()));

        JsonNode status = json(ok("--json", "status"));
        assertEquals(2, status.get("files").asLong(), status.toString());
        assertTrue(status.get("checkProblems").isNull());

        JsonNode written = json(cli.runWithInput("z".getBytes(StandardCharsets.UTF_8), "--json", "write", "/j/z"));
        assertEquals("/j/z", written.get("path").asText(), written.toString());
    }

    @Test
    void jsonErrorsAreJsonToo() throws IOException {
        ok("init");
        CliHarness.Result r = cli.run("--json", "cat", "/nope");
        assertEquals(1, r.status());
        JsonNode doc = json(r);
        assertEquals("NOT_FOUND", doc.get("errors").get(0).get("code").asText(), doc.toString());
        assertEquals("/nope", doc.get("errors").get(0).get("path").asText());

        CliHarness.Result single = cli.run("--json", "log", "/nope");
        assertEquals(1, single.status());
        JsonNode err = json(single).get("error");
        assertEquals("NOT_FOUND", err.get("code").asText(), single.toString());
        assertTrue(single.err().startsWith("semfs: log /nope: "), single::toString);
    }

    @Test
    void statusAndCheck() throws IOException {
        ok("init");
        write("/a", "a");
        String plain = ok("status").out();
        assertTrue(plain.contains("files      1"), plain);
        assertTrue(ok("status", "--check").out().contains("check      ok"));
        JsonNode checked = json(ok("status", "--check", "--json"));
        assertTrue(checked.get("checkProblems").isArray() && checked.get("checkProblems").isEmpty(), checked.toString());
    }

    @Test
    void statusCheckFailsOnADamagedStore() throws IOException {
        ok("init");
        write("/f", "some content that lives in a chunk");
        ok("status", "--check");
        // Damage the content: empty every chunk pack file of the store.
        List<Path> packs;
        try (var files = java.nio.file.Files.walk(cli.store())) {
            packs = files.filter(p -> p.getFileName().toString().endsWith(".pack")).toList();
        }
        assertFalse(packs.isEmpty(), "the store keeps chunk bodies in *.pack files");
        for (Path p : packs) java.nio.file.Files.write(p, new byte[0]);

        CliHarness.Result r = cli.run("status", "--check");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().startsWith("semfs: status: the store check found "), r::toString);
        assertTrue(r.out().contains("check      ") && !r.out().contains("check      ok"), r::toString);
        JsonNode doc = json(cli.run("--json", "status", "--check"));
        assertFalse(doc.get("checkProblems").isEmpty(), doc.toString());
    }

    @Test
    void theAgentIsCheckedAndRecorded() throws IOException {
        ok("init");
        byte[] x = "x".getBytes(StandardCharsets.UTF_8);
        CliHarness.Result unknown = cli.runWithInput(x, "--agent", "alice", "write", "/f");
        assertEquals(1, unknown.status(), unknown::toString);
        assertTrue(unknown.err().startsWith("semfs: write: permission denied (unknown agent 'alice'"), unknown::toString);

        // Agents are managed through the core API until `semfs agents` exists.
        try (var ws = dev.semfs.syscalls.Workspaces.open(cli.store())) {
            ws.call(dev.semfs.syscalls.Caller.owner(), new dev.semfs.syscalls.Op.AgentCreate("alice"));
            ws.call(dev.semfs.syscalls.Caller.owner(), new dev.semfs.syscalls.Op.Grant("alice", "/", "write"));
        }
        assertEquals(0, cli.runWithInput(x, "--agent", "alice", "write", "/f").status());
        String log = ok("log", "/f").out();
        assertTrue(log.contains("alice"), log);
        Matcher m = Pattern.compile("owner").matcher(log);
        assertFalse(m.find(), log);
    }

    @Test
    void summarizeCoversFilesFoldersAndChangesButOnlyWhatTheAgentMayRead() throws Exception {
        ok("init");
        byte[] plan = "The plan is to plant tomatoes in May. Lunch is at noon. We harvest the tomatoes in August.".getBytes(StandardCharsets.UTF_8);
        assertEquals(0, cli.runWithInput(plan, "write", "-p", "/team/plan.txt").status());
        assertEquals(0, cli.runWithInput("Salaries are confidential.".getBytes(StandardCharsets.UTF_8), "write", "-p", "/hr/pay.txt").status());
        ok("agents", "create", "guest");
        ok("agents", "grant", "guest", "/team", "read");

        String one = ok("summarize", "-n", "2", "/team/plan.txt").out();
        assertEquals("The plan is to plant tomatoes in May. We harvest the tomatoes in August.\n", one);
        JsonNode all = json(cli.run("--json", "--agent", "guest", "summarize"));
        assertEquals("extractive", all.get("method").asText());
        assertEquals(1, all.get("parts").size(), all.toString());
        assertEquals("/team/plan.txt", all.get("parts").get(0).get("path").asText());
        assertFalse(all.toString().contains("Salaries"), all.toString());
        CliHarness.Result denied = cli.run("--agent", "guest", "summarize", "/hr");
        assertEquals(1, denied.status(), denied::toString);
        assertTrue(denied.err().startsWith("semfs: summarize /hr: permission denied"), denied::toString);
        String changes = ok("summarize", "--since", "1 hour ago").out();
        assertTrue(changes.startsWith("2 files changed since "), changes);
        assertTrue(changes.contains("/team/plan.txt  v1  (created, written by owner)"), changes);
        assertEquals(2, cli.run("summarize", "--since", "the day after never").status());
    }

    @Test
    @org.junit.jupiter.api.Timeout(120) // a reply that never comes must fail the test, not hang the build
    void mcpServesTheToolsOnStdioAsTheAgentAndOtherCommandsMeanwhile() throws Exception {
        ok("init");
        ok("agents", "create", "scribe");
        ok("agents", "grant", "scribe", "/notes", "write");
        // OS pipes: java.io's piped streams break when a writing thread of the server ends.
        java.nio.channels.Pipe in = java.nio.channels.Pipe.open();
        java.nio.channels.Pipe out = java.nio.channels.Pipe.open();
        java.io.OutputStream toServer = java.nio.channels.Channels.newOutputStream(in.sink());
        java.io.InputStream serverIn = java.nio.channels.Channels.newInputStream(in.source());
        java.io.InputStream fromServer = java.nio.channels.Channels.newInputStream(out.source());
        java.io.OutputStream serverOut = java.nio.channels.Channels.newOutputStream(out.sink());
        var done = new java.util.concurrent.CompletableFuture<CliHarness.Result>();
        Thread.ofPlatform().start(() -> done.complete(cli.runStreaming(serverIn, serverOut, "--agent", "scribe", "mcp")));
        var replies = new java.io.BufferedReader(new java.io.InputStreamReader(fromServer, StandardCharsets.UTF_8));
        java.util.function.Consumer<String> send = line -> {
            try {
                toServer.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                toServer.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        send.accept("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}");
        JsonNode init = new com.fasterxml.jackson.databind.ObjectMapper().readTree(replies.readLine());
        assertEquals("semfs", init.at("/result/serverInfo/name").asText(), init.toString());
        send.accept("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        send.accept("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"write_file\","
                + "\"arguments\":{\"path\":\"/notes/from-mcp.txt\",\"content\":\"hello from an agent\"}}}");
        JsonNode wrote = new com.fasterxml.jackson.databind.ObjectMapper().readTree(replies.readLine());
        assertFalse(wrote.at("/result/isError").asBoolean(false), wrote.toString());
        send.accept("{not json at all");
        JsonNode parseError = new com.fasterxml.jackson.databind.ObjectMapper().readTree(replies.readLine());
        assertEquals(-32700, parseError.at("/error/code").asInt(), parseError.toString());
        send.accept("{\"id\":7,\"method\":\"tools/list\"}");
        JsonNode invalid = new com.fasterxml.jackson.databind.ObjectMapper().readTree(replies.readLine());
        assertEquals(-32600, invalid.at("/error/code").asInt(), invalid.toString());
        assertEquals(7, invalid.at("/id").asInt(), invalid.toString());
        send.accept("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"write_file\","
                + "\"arguments\":{\"path\":\"/elsewhere.txt\",\"content\":\"x\"}}}");
        JsonNode refused = new com.fasterxml.jackson.databind.ObjectMapper().readTree(replies.readLine());
        assertEquals(3, refused.at("/id").asInt(), refused.toString());
        assertTrue(refused.at("/result/isError").asBoolean(), refused.toString());
        assertTrue(refused.at("/result/content/0/text").asText().startsWith("ACCESS_DENIED"), refused.toString());

        // While the server holds the store, other commands go through it.
        assertEquals("hello from an agent", ok("cat", "/notes/from-mcp.txt").out());
        assertTrue(ok("log", "/notes/from-mcp.txt").out().contains("scribe"));
        toServer.close();
        CliHarness.Result r = done.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, r.status(), r::toString);
        assertEquals("hello from an agent", ok("cat", "/notes/from-mcp.txt").out(), "the store is free again");
    }

    @Test
    void searchFindsByMeaningAndTheIndexRebuildsWithProgress() throws Exception {
        ok("init");
        assertEquals(0, cli.runWithInput("The cat slept on the warm windowsill.".getBytes(StandardCharsets.UTF_8), "write", "-p", "/a/cat.txt").status());
        assertEquals(0, cli.runWithInput("File the quarterly tax return.".getBytes(StandardCharsets.UTF_8), "write", "-p", "/b/tax.txt").status());
        CliHarness.Result s = ok("--json", "search", "a sleepy kitten", "-k", "1");
        var hits = new com.fasterxml.jackson.databind.ObjectMapper().readTree(s.out()).get("results");
        assertEquals("/a/cat.txt", hits.get(0).get("path").asText(), s::toString);
        CliHarness.Result filtered = ok("--json", "search", "a sleepy kitten", "--path", "/b");
        assertEquals("/b/tax.txt", new com.fasterxml.jackson.databind.ObjectMapper().readTree(filtered.out()).get("results").get(0).get("path").asText());
        CliHarness.Result r = ok("index", "--rebuild", "--progress");
        assertTrue(r.out().startsWith("indexed 2 files"), r::toString);
        CliHarness.Result bad = cli.run("search", "x", "--mode", "fuzzy");
        assertEquals(2, bad.status(), bad::toString);
    }
}
