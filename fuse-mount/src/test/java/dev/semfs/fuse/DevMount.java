package dev.semfs.fuse;

import java.nio.file.Path;

/** Mounts the in-memory fake on a directory until killed: for poking at the mount by hand. */
public final class DevMount {
    public static void main(String[] args) throws Exception {
        MountedWorkspace m = Mounter.fuse().mount(new InMemoryWorkspace(), Path.of(args[0]),
                MountOptions.forAgent("dev").withDebug(args.length > 1 && args[1].equals("debug")));
        m.awaitUnmounted();
    }
}
