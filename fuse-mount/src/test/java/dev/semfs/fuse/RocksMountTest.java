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
