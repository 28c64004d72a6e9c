package dev.semfs.fuse;

import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import java.nio.file.Path;

class InMemoryMountDifferentialTest extends MountDifferentialTest {
    @Override
    Workspace newWorkspace(Path dir) {
        return Workspaces.inMemory();
    }
}
