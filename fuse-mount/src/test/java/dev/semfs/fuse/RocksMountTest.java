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
}
