package dev.semfs.fuse;

import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import java.io.IOException;
import java.nio.file.Path;

class RocksMountDifferentialTest extends MountDifferentialTest {
    @Override
    Workspace newWorkspace(Path dir) throws IOException {
        Workspace ws = Workspaces.open(dir);
        ws.call(Caller.owner(), new Op.AgentCreate("tester"));
        ws.call(Caller.owner(), new Op.Grant("tester", "/", "write"));
        return ws;
    }
}
