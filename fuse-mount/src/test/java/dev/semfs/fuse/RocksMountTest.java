package dev.semfs.fuse;

import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import java.io.IOException;
import java.nio.file.Path;

/** The mount contract on the real workspace (RocksDB store on a temp dir), shared with other users. */
class RocksMountTest extends MountContractTest {
    @Override
    Workspace newWorkspace(Path dir) throws IOException {
        return Workspaces.open(dir);
    }

    @Override
    MountOptions options() {
        return MountOptions.forAgent(dev.semfs.syscalls.Caller.OWNER).withAllowOther(true);
    }
}
