package dev.semfs.syscalls;

import java.util.List;

/**
 * Hears about committed changes in the same process, for front ends that keep a cache the
 * workspace cannot see (the mount's kernel caches). Called on the thread that made the change,
 * after it is committed and before {@link Workspace#call} returns to its caller, so a cache told
 * here is consistent by the time the caller can act. Must not call back into the workspace.
 */
@FunctionalInterface
public interface ChangeListener {

    /**
     * @param caller who made the change; the listener tells its own requests from others' by the
     *               thread it runs on
     * @param paths  normalised paths whose name, attributes or content changed (both ends of a
     *               move; every path a rollback, restore or undo touched; for a write through a
     *               handle, the path the file was opened as)
     */
    void changed(Caller caller, List<String> paths);
}
