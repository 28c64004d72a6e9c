package dev.semfs.fuse;

import dev.semfs.syscalls.Workspace;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Mounts a {@link Workspace} as a POSIX directory through FUSE. Every operation on the mount is
 * one {@link Workspace#call} as {@link MountOptions#agent()} with the calling process's uid/gid;
 * the kernel enforces owner/group/mode ({@code default_permissions}). Beside the workspace's
 * files, the read-only {@code .semfs/} directory (not listed in the root, reachable by name)
 * holds {@code versions/<path>/} and {@code snapshots/<id>/}.
 *
 * <p>Thread-safe.
 */
public interface Mounter {

    /** The libfuse 3 mounter (jfuse, FFM). Needs /dev/fuse, libfuse3.so.3 and fusermount3. */
    static Mounter fuse() {
        return dev.semfs.fuse.internal.Fuse3Mounter.create();
    }

    /**
     * Mounts {@code workspace} on {@code mountPoint}, an existing directory. A stale mount left
     * there by a crashed process ("Transport endpoint is not connected") is cleared first with
     * {@code fusermount -u -z}. Returns once the kernel shows the mount, or, with
     * {@link MountOptions#blocking()}, once it is unmounted again.
     *
     * @throws java.nio.file.NotDirectoryException    when the mount point is not a directory
     * @throws java.nio.file.FileSystemException      when something live is already mounted there
     * @throws IOException                            when libfuse could not mount
     */
    MountedWorkspace mount(Workspace workspace, Path mountPoint, MountOptions options) throws IOException;
}
