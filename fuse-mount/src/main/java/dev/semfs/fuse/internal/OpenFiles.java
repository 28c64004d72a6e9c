package dev.semfs.fuse.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The mount's table of open files. A FUSE file handle is either the core's own handle id (the
 * common case, passed through unchanged so the read/write path costs no lookup) or, with the
 * top bit set, the key of a read-only {@link VirtualTree.VirtualFile}. Core handles are also
 * remembered so that unmounting can release those the kernel never released (a process still
 * holding a file when the mount is torn down), which cuts their versions.
 *
 * <p>Thread-safe.
 */
final class OpenFiles {
    private static final long VIRTUAL = 1L << 63;

    private final Map<Long, Long> core = new ConcurrentHashMap<>(); // handle -> inode
    private final Map<Long, VirtualTree.VirtualFile> virtual = new ConcurrentHashMap<>();
    private final Set<Long> append = ConcurrentHashMap.newKeySet();
    private final Set<Long> buffered = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextVirtual = new AtomicLong(1);

    long addCore(long coreHandle, long ino) {
        if ((coreHandle & VIRTUAL) != 0) throw new IllegalStateException("core handle id uses the top bit: " + coreHandle);
        core.put(coreHandle, ino);
        return coreHandle;
    }

    /** Marks a core handle as opened with O_APPEND. */
    void markAppend(long fh) {
        append.add(fh);
    }

    boolean isAppend(long fh) {
        return !append.isEmpty() && append.contains(fh);
    }

    /** Marks a core handle whose reads and writes go through the kernel's page cache. */
    void markBuffered(long fh) {
        buffered.add(fh);
    }

    boolean isBuffered(long fh) {
        return buffered.contains(fh);
    }

    /** The inode behind core handle {@code fh}, or -1 when it is not open. */
    long inoOf(long fh) {
        Long ino = core.get(fh);
        return ino == null ? -1 : ino;
    }

    /** Some open core handle on inode {@code ino}, or -1 when none is open. */
    long anyCoreHandleOf(long ino) {
        for (Map.Entry<Long, Long> e : core.entrySet()) if (e.getValue() == ino) return e.getKey();
        return -1;
    }

    long addVirtual(VirtualTree.VirtualFile file) {
        long fh = VIRTUAL | nextVirtual.getAndIncrement();
        virtual.put(fh, file);
        return fh;
    }

    static boolean isVirtual(long fh) {
        return (fh & VIRTUAL) != 0;
    }

    /** The virtual file behind {@code fh}, or null when it is not (or no longer) open. */
    VirtualTree.VirtualFile virtual(long fh) {
        return virtual.get(fh);
    }

    /** Forgets {@code fh}; true when it was a core handle that must be released in the core. */
    boolean remove(long fh) {
        if (isVirtual(fh)) {
            virtual.remove(fh);
            return false;
        }
        append.remove(fh);
        buffered.remove(fh);
        return core.remove(fh) != null;
    }

    /**
     * Removes and returns every core handle still open: each once, even while loop threads
     * still release handles (a lazy unmount), so that no handle is released twice.
     */
    List<Long> drainCore() {
        List<Long> open = new java.util.ArrayList<>();
        for (Long fh : List.copyOf(core.keySet())) {
            if (core.remove(fh) != null) open.add(fh);
        }
        virtual.clear();
        append.clear();
        buffered.clear();
        return open;
    }

    int size() {
        return core.size() + virtual.size();
    }
}
