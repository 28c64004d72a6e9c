package dev.semfs.fuse;

import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import java.io.IOException;
import java.nio.file.Path;

class RocksMountDifferentialTest extends MountDifferentialTest {
    @Override
    Workspace newWorkspace(Path dir) throws IOException {
        return Workspaces.open(dir);
    }
}
