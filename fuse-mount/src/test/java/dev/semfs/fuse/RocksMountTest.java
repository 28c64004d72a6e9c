package dev.semfs.fuse;

import static dev.semfs.fuse.MountFixture.run;
import static dev.semfs.fuse.MountFixture.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.VersionInfo;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The mount contract on the real workspace (RocksDB store on a temp dir), mounted as agent
 * "tester" with write access to everything, shared with other users; plus agent rights through
 * the mount.
 */
class RocksMountTest extends MountContractTest {
    @Override
    Workspace newWorkspace(Path dir) throws IOException {
        Workspace ws = Workspaces.open(dir);
        ws.call(Caller.owner(), new Op.AgentCreate("tester"));
        ws.call(Caller.owner(), new Op.Grant("tester", "/", "write"));
        return ws;
    }

    @Override
    MountOptions options() {
        return MountOptions.forAgent("tester").withAllowOther(true);
    }

    /** Two agents, each with a mount of the same workspace: what one does, the other sees at once. */
    @Test
    void twoMountsOfOneWorkspaceSeeEachOther(@org.junit.jupiter.api.io.TempDir Path other) throws Exception {
        Workspace ws = m.workspace;
        ws.call(Caller.owner(), new Op.AgentCreate("second"));
        ws.call(Caller.owner(), new Op.Grant("second", "/", "write"));
        try (MountFixture m2 = MountFixture.mount(ws, other, MountOptions.forAgent("second"))) {
            Path b = m2.mountPoint;
            sh(mnt, "mkdir d && echo one > d/f && echo x > d/gone");
            assertEquals("one\n", sh(b, "ls -l d > /dev/null && cat d/f d/gone > /dev/null && cat d/f"));
            // writes through a handle of the first mount, read by a process of the second that
            // holds the file open (pages cached) and by a fresh cat
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(b.resolve("d/f"))) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(100);
                ch.read(buf, 0);
                int versions = ws.call(Caller.owner(), new Op.Log("/d/f")).versions().size();
                sh(mnt, "echo two-and-more > d/f");
                // The kernel releases A's file just after close(2). The store's stat(ino) reads the
                // inode record before taking the node lock, so a stat racing that release's flush
                // can report the size from before the buffered writes: wait for the version.
                for (int i = 0; i < 500 && ws.call(Caller.owner(), new Op.Log("/d/f")).versions().size() == versions; i++) {
                    Thread.sleep(10);
                }
                buf.clear();
                int n = ch.read(buf, 0);
                assertEquals("two-and-more\n", new String(buf.array(), 0, n));
            }
            assertEquals("two-and-more\n13\n", sh(b, "cat d/f && stat -c %s d/f"));
            sh(mnt, "mv d/f d/g && rm d/gone");
            assertEquals("g\ngone\n", sh(b, "test ! -e d/f && test ! -e d/gone && echo mine > d/gone && ls d"));
            assertEquals("mine\n", sh(mnt, "cat d/gone"));
            sh(mnt, "touch d/g && chmod 640 d/g");
            assertEquals("640\n", sh(b, "stat -c %a d/g"));
        }
    }

    @Test
    void agentRightsAndAuthorshipGoThroughTheMount() throws Exception {
        Workspace ws = m.workspace;
        ws.call(Caller.owner(), new Op.Mkdir("/ro", false, 0777));
        ws.call(Caller.owner(), new Op.WriteFile("/ro/given", "from the owner\n".getBytes(), false, false));
        ws.call(Caller.owner(), new Op.Grant("tester", "/ro", "read"));
        assertEquals("from the owner\n", sh(mnt, "cat ro/given"));
        // the kernel allows it (root, mode 0777); the agent's right does not: EACCES
        MountFixture.Result denied = run(mnt, "sh", "-c", "echo x > ro/given");
        assertTrue(denied.out().contains("Permission denied"), denied.toString());
        assertTrue(run(mnt, "sh", "-c", "touch ro/new").out().contains("Permission denied"));
        sh(mnt, "echo mine > mine.txt");
        // close(2) returns before the kernel sends the release that cuts the version
        List<VersionInfo> v = List.of();
        for (int i = 0; i < 500 && v.isEmpty(); i++) {
            Thread.sleep(10);
            v = ws.call(Caller.owner(), new Op.Log("/mine.txt")).versions();
        }
        assertEquals("tester", v.getLast().agent());
    }

    /**
     * libfuse hides a rename target that is still open before renaming onto its name; the core
     * must still see one rename over the target (one audit entry by the mount's agent), the
     * replaced content must stay a version of the path, and the open descriptor keeps reading it.
     */
    @Test
    void renameOverAnOpenFileIsOneRenameInTheCore() throws Exception {
        Workspace ws = m.workspace;
        java.nio.file.Files.writeString(mnt.resolve("target.txt"), "old content\n");
        java.nio.file.Files.writeString(mnt.resolve("new.txt"), "new content\n");
        awaitVersions(ws, "/target.txt", 1);
        awaitVersions(ws, "/new.txt", 1);
        long from = ws.call(Caller.owner(), new Op.Changes(0, 100_000, null)).next();
        try (java.nio.channels.FileChannel open = java.nio.channels.FileChannel.open(mnt.resolve("target.txt"))) {
            java.nio.file.Files.move(mnt.resolve("new.txt"), mnt.resolve("target.txt"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            assertEquals("new content\n", java.nio.file.Files.readString(mnt.resolve("target.txt")));
            java.nio.ByteBuffer old = java.nio.ByteBuffer.allocate(64);
            open.read(old, 0);
            assertEquals("old content\n", new String(old.array(), 0, old.position()));
            List<dev.semfs.syscalls.ChangeList.ChangeEntry> changes = ws.call(Caller.owner(), new Op.Changes(from, 100, null)).changes();
            List<String> ops = changes.stream().map(e -> e.op() + " " + e.path() + (e.toPath() == null ? "" : " " + e.toPath())
                    + " " + e.reason()).toList();
            assertEquals(1, changes.stream().filter(e -> e.op().equals("rename")).count(), ops.toString());
            assertEquals(0, changes.stream().filter(e -> e.op().equals("delete") && !e.reason().startsWith("replaced by")).count(),
                    ops.toString());
            assertTrue(changes.stream().allMatch(e -> e.agent().equals("tester")), ops.toString());
        }
        List<String> contents = new java.util.ArrayList<>();
        for (VersionInfo v : ws.call(Caller.owner(), new Op.Log("/target.txt")).versions()) {
            if (v.kind().equals("moved") || v.kind().equals("delete")) continue;
            contents.add(new String(ws.call(Caller.owner(), new Op.ReadVersion("/target.txt", v.number(), 0, -1)).data()));
        }
        assertTrue(contents.contains("old content\n") && contents.contains("new content\n"), contents.toString());
        assertEquals(List.of(), ws.call(Caller.owner(), new Op.Status(true)).checkProblems());
    }

    /**
     * An agent without read rights on a prefix meets EACCES there through the mount, and nothing
     * under it leaks through the virtual tree: not its versions, not a snapshot of it, not a
     * search hit; nor can a rename carry a file across the boundary either way.
     */
    @Test
    void aPathTheAgentMayNotReadStaysClosedEverywhereInTheMount() throws Exception {
        Workspace ws = m.workspace;
        Caller owner = Caller.owner();
        ws.call(owner, new Op.Mkdir("/secret", false, 0777));
        ws.call(owner, new Op.WriteFile("/secret/plan.txt", "The launch code is tomato soup.\n".getBytes(), false, false));
        ws.call(owner, new Op.WriteFile("/secret/plan.txt", "The launch code is tomato soup, hot.\n".getBytes(), false, false));
        long snapshot = ws.call(owner, new Op.Snapshot("before")).id();
        ws.call(owner, new Op.Grant("tester", "/secret", "none"));
        sh(mnt, "echo mine > mine.txt");

        for (String cmd : List.of("cat secret/plan.txt", "ls secret", "stat secret/plan.txt",
                "ls .semfs/versions/secret/plan.txt", "cat .semfs/versions/secret/plan.txt/1",
                "cat .semfs/snapshots/" + snapshot + "/secret/plan.txt", "ls .semfs/snapshots/" + snapshot + "/secret",
                "mv mine.txt secret/mine.txt", "mv secret/plan.txt stolen.txt")) {
            MountFixture.Result r = run(mnt, "sh", "-c", cmd);
            assertTrue(r.exit() != 0 && (r.out().contains("Permission denied") || r.out().contains("No such file")), cmd + ": " + r);
        }
        assertEquals("mine\n", sh(mnt, "cat mine.txt"));
        assertEquals(List.of(), ws.call(owner, new Op.Log("/secret/plan.txt")).versions().stream()
                .filter(v -> !"owner".equals(v.agent())).toList(), "nothing the tester did reached the secret file");

        // The index has the file (the owner finds it) but the tester's search tree does not show it.
        assertTrue(ws.call(owner, Op.Search.of("launch code soup", 5)).results().stream()
                .anyMatch(h -> h.path().equals("/secret/plan.txt")));
        String hits = sh(mnt, "ls -l '.semfs/search/launch code soup/' || true");
        assertTrue(!hits.contains("secret"), hits);
    }

    /**
     * close(2) is when a version is cut, not the kernel's later release: a shell that keeps the
     * file open on fd 3 and writes through a dup of it (closed after each command) has a version
     * after each command, while the file is still open.
     */
    @Test
    void aCloseOfAWrittenDescriptorIsAVersionAtOnce() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "exec 3>note.txt; echo one >&3; echo ready; read x; echo two >&3; echo again; read x")
                .directory(mnt.toFile()).redirectErrorStream(true).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
             var in = new java.io.PrintWriter(p.getOutputStream(), true)) {
            assertEquals("ready", out.readLine());
            List<VersionInfo> v = m.workspace.call(Caller.owner(), new Op.Log("/note.txt")).versions();
            assertEquals(1, v.size(), v.toString());
            assertEquals("one\n", new String(m.workspace.call(Caller.owner(), new Op.ReadVersion("/note.txt", 1, 0, -1)).data()));
            in.println();
            assertEquals("again", out.readLine());
            assertEquals(2, m.workspace.call(Caller.owner(), new Op.Log("/note.txt")).versions().size());
            in.println();
            assertEquals(0, p.waitFor());
        } finally {
            p.destroyForcibly();
        }
        // the release after the shell exits has nothing new to cut
        Thread.sleep(200);
        assertEquals(2, m.workspace.call(Caller.owner(), new Op.Log("/note.txt")).versions().size());
    }

    private static void awaitVersions(Workspace ws, String path, int count) throws Exception {
        // close(2) returns before the kernel sends the release that cuts the version
        for (int i = 0; i < 500; i++) {
            try {
                if (ws.call(Caller.owner(), new Op.Log(path)).versions().size() >= count) return;
            } catch (java.nio.file.NoSuchFileException notYet) {
                // no version yet
            }
            Thread.sleep(10);
        }
        throw new AssertionError(path + " has no version " + count);
    }
}
