package dev.semfs.fuse;

import dev.semfs.syscalls.Workspaces;
import java.nio.file.Path;

/** Mounts an in-memory workspace on a directory until killed: for poking at the mount by hand. */
public final class DevMount {
    public static void main(String[] args) throws Exception {
        MountedWorkspace m = Mounter.fuse().mount(Workspaces.inMemory(), Path.of(args[0]),
                MountOptions.forAgent("dev").withDebug(args.length > 1 && args[1].equals("debug")));
        m.awaitUnmounted();
    }
}
