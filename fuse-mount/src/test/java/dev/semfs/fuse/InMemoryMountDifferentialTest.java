package dev.semfs.fuse;

import dev.semfs.syscalls.Workspace;
import java.nio.file.Path;

class InMemoryMountDifferentialTest extends MountDifferentialTest {
    @Override
    Workspace newWorkspace(Path dir) {
        return new InMemoryWorkspace();
    }
}
