package dev.semfs.fuse;

import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import java.nio.file.Path;

/** The mount contract on the in-memory fake, mounted with allow_other so other users can be tried. */
class InMemoryMountTest extends MountContractTest {
    @Override
    Workspace newWorkspace(Path dir) {
        return Workspaces.inMemory();
    }

    @Override
    MountOptions options() {
        return MountOptions.forAgent("tester").withAllowOther(true);
    }
}
