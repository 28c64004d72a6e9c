package dev.semfs.fuse.internal;

import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.FsStats;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import jnr.ffi.Pointer;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uid_t;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The jnr-fuse (libfuse 2) binding, and the only class that knows it: it copies between libfuse
 * structs and plain Java values and calls {@link MountOperations}. Each callback is
 * {@code guard(name, path, () -> ...)}: the one place failures become errnos (through
 * {@link ErrnoMapper}). Callbacks not overridden here stay unregistered in libfuse, which
 * answers ENOSYS (mknod, lock, flock, fallocate, ioctl, poll, bmap).
 *
 * <p>Switching to another binding (jfuse, an FFM libfuse 3 binding) means replacing this class
 * and {@link JnrFuseMounter}'s option list, nothing else.
 *
 * <p>Sets libfuse's {@code nullpath_ok} flag: with {@code hard_remove}, operations on a handle
 * whose file was unlinked arrive without a path, and everything on that path uses the handle.
 */
final class JnrFuseFileSystem extends FuseStubFS {
    // utimensat(2) special nanosecond values.
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;
    private static final int XATTR_CREATE = 1;
    private static final int XATTR_REPLACE = 2;
    private static final int BLOCK = 4096;
    // fuse_operations bit-field flags (libfuse 2.9): bit 0 nullpath_ok, bit 1 nopath, bit 2 utime_omit_ok.
    private static final int NULLPATH_OK = 1;
    private static final int UTIME_OMIT_OK = 4;
    private static final int FI_BITS = 20;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JnrFuseFileSystem.class);

    private final MountOperations ops;
    private final Clock clock;

    JnrFuseFileSystem(MountOperations ops, Clock clock) {
        this.ops = ops;
        this.clock = clock;
        setFlags();
    }

    /**
     * Sets flag_nullpath_ok and flag_utime_omit_ok in the bit-field word after libfuse's
     * function pointers: the first lets libfuse call handle operations of unlinked files without
     * a path, the second passes UTIME_OMIT through (else {@code touch -m} changes nothing).
     * jnr-fuse declares the field but its offset accessor sits in a non-public class, hence the
     * reflective call.
     */
    private void setFlags() {
        try {
            java.lang.reflect.Method offsetOf = Class.forName("jnr.ffi.Struct$AbstractMember").getMethod("offset");
            offsetOf.setAccessible(true);
            long offset = (Long) offsetOf.invoke(fuseOperations.flag_nullpath_ok);
            Pointer mem = jnr.ffi.Struct.getMemory(fuseOperations);
            mem.putByte(offset, (byte) (mem.getByte(offset) | NULLPATH_OK | UTIME_OMIT_OK));
            LOG.debug("fuse_operations flags at offset {} of {}: {}", offset, jnr.ffi.Struct.size(fuseOperations), mem.getByte(offset));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("jnr-fuse changed: cannot set nullpath_ok", e);
        }
    }

    @Override
    protected String getFSName() {
        return "semfs";
    }

    @FunctionalInterface
    private interface Call {
        int run() throws Exception;
    }

    private static final boolean TRACE = System.getenv("SEMFS_FUSE_TRACE") != null;

    private int guard(String callback, String path, Call call) {
        if (TRACE) System.err.println(callback + " " + path);
        ops.onRequest(callback);
        try {
            return call.run();
        } catch (Throwable t) {
            return -ErrnoMapper.errno(callback, path, t);
        }
    }

    private Caller caller() {
        FuseContext ctx = getContext();
        return ops.caller(ctx.uid.intValue(), ctx.gid.intValue());
    }

    // --- attributes -------------------------------------------------------------------------

    @Override
    public int getattr(String path, FileStat stat) {
        return guard("getattr", path, () -> fill(stat, ops.getattr(caller(), path)));
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        return guard("fgetattr", path, () -> fill(stat, ops.fgetattr(caller(), path, fi.fh.get())));
    }

    private static int fill(FileStat st, FileInfo fi) {
        int type = switch (fi.type()) {
            case "directory" -> FileStat.S_IFDIR;
            case "symlink" -> FileStat.S_IFLNK;
            default -> FileStat.S_IFREG;
        };
        st.st_mode.set(type | (fi.mode() & 07777));
        st.st_ino.set(fi.ino());
        st.st_nlink.set(fi.nlink());
        if (fi.uid() >= 0) st.st_uid.set(fi.uid());
        if (fi.gid() >= 0) st.st_gid.set(fi.gid());
        st.st_size.set(fi.size());
        st.st_blksize.set(BLOCK);
        st.st_blocks.set((fi.size() + 511) / 512);
        time(st.st_atim, fi.atime());
        time(st.st_mtim, fi.mtime());
        time(st.st_ctim, fi.ctime());
        return 0;
    }

    private static void time(Timespec ts, long nanos) {
        ts.tv_sec.set(Math.floorDiv(nanos, 1_000_000_000L));
        ts.tv_nsec.set(Math.floorMod(nanos, 1_000_000_000L));
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        return guard("readdir", path, () -> {
            List<FileInfo> entries = ops.readdir(caller(), path);
            filler.apply(buf, cString("."), null, 0);
            filler.apply(buf, cString(".."), null, 0);
            for (FileInfo e : entries) {
                if (filler.apply(buf, cString(e.name()), null, 0) != 0) break;
            }
            return 0;
        });
    }

    /** A NUL-terminated copy: jnr passes a heap buffer's bytes as they are, without a terminator. */
    private static ByteBuffer cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(b.length + 1);
        out.put(b).put((byte) 0).flip();
        return out;
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        return guard("readlink", path, () -> {
            byte[] target = ops.readlink(caller(), path).getBytes(StandardCharsets.UTF_8);
            // readlink wants a NUL-terminated string, truncated to the buffer as readlink(2) does.
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        });
    }

    @Override
    public int statfs(String path, Statvfs st) {
        return guard("statfs", path, () -> {
            FsStats s = ops.statfs(caller());
            st.f_bsize.set(BLOCK);
            st.f_frsize.set(BLOCK);
            st.f_blocks.set(s.totalBytes() / BLOCK);
            st.f_bfree.set(s.freeBytes() / BLOCK);
            st.f_bavail.set(s.availableBytes() / BLOCK);
            st.f_files.set(s.files());
            st.f_ffree.set(s.freeFiles());
            st.f_favail.set(s.freeFiles());
            st.f_namemax.set(s.maxNameLength());
            return 0;
        });
    }

    @Override
    public int access(String path, int mask) {
        // With default_permissions the kernel checks modes itself; this only answers existence
        // and refuses write access to the read-only tree.
        return guard("access", path, () -> {
            ops.getattr(caller(), path);
            return (mask & 2) != 0 && ControlTree.owns(path) ? -Errno.EROFS : 0;
        });
    }

    // --- namespace --------------------------------------------------------------------------

    @Override
    public int mkdir(String path, @mode_t long mode) {
        return guard("mkdir", path, () -> { ops.mkdir(caller(), path, (int) mode); return 0; });
    }

    @Override
    public int unlink(String path) {
        return guard("unlink", path, () -> { ops.unlink(caller(), path); return 0; });
    }

    @Override
    public int rmdir(String path) {
        return guard("rmdir", path, () -> { ops.rmdir(caller(), path); return 0; });
    }

    @Override
    public int symlink(String target, String path) {
        return guard("symlink", path, () -> { ops.symlink(caller(), target, path); return 0; });
    }

    @Override
    public int rename(String from, String to) {
        return guard("rename", from, () -> { ops.rename(caller(), from, to, getContext().pid.intValue()); return 0; });
    }

    @Override
    public int link(String existing, String path) {
        return guard("link", path, () -> { ops.link(caller(), existing, path); return 0; });
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        return guard("chmod", path, () -> { ops.chmod(caller(), path, (int) mode); return 0; });
    }

    @Override
    public int chown(String path, @uid_t long uid, @gid_t long gid) {
        return guard("chown", path, () -> { ops.chown(caller(), path, (int) uid, (int) gid); return 0; });
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return guard("truncate", path, () -> { ops.truncate(caller(), path, size); return 0; });
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return guard("utimens", path, () -> {
            ops.utimens(caller(), path, nanos(timespec[0]), nanos(timespec[1]));
            return 0;
        });
    }

    private Long nanos(Timespec ts) {
        long nsec = ts.tv_nsec.longValue();
        if (nsec == UTIME_OMIT) return null;
        if (nsec == UTIME_NOW) {
            java.time.Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }
        return ts.tv_sec.get() * 1_000_000_000L + nsec;
    }

    // --- open files -------------------------------------------------------------------------

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        return guard("create", path, () -> {
            return opened(fi, ops.create(caller(), path, fi.flags.get(), (int) mode));
        });
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return guard("open", path, () -> {
            return opened(fi, ops.open(caller(), path, fi.flags.get()));
        });
    }

    /**
     * Stores the handle, and the direct_io bit. jnr-fuse 0.5.8 maps fuse_file_info's bit-fields
     * at the wrong offset (it leaves out {@code int writepage}); in libfuse 2.9 on LP64 they are
     * the 32-bit word at byte 20, direct_io its lowest bit.
     */
    private static int opened(FuseFileInfo fi, MountOperations.Opened o) {
        fi.fh.set(o.fh());
        if (o.directIo()) {
            Pointer mem = jnr.ffi.Struct.getMemory(fi);
            mem.putByte(FI_BITS, (byte) (mem.getByte(FI_BITS) | 1));
        }
        return 0;
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return guard("read", path, () -> {
            byte[] data = ops.read(caller(), fi.fh.get(), offset, (int) size);
            buf.put(0, data, 0, data.length);
            return data.length;
        });
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return guard("write", path, () -> {
            byte[] data = new byte[(int) size];
            buf.get(0, data, 0, data.length);
            return ops.write(caller(), fi.fh.get(), offset, data);
        });
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return guard("ftruncate", path, () -> { ops.ftruncate(caller(), path, fi.fh.get(), size); return 0; });
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        return guard("flush", path, () -> { ops.flush(caller(), fi.fh.get()); return 0; });
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return guard("fsync", path, () -> { ops.fsync(caller(), fi.fh.get()); return 0; });
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return guard("release", path, () -> { ops.release(caller(), fi.fh.get()); return 0; });
    }

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        return guard("opendir", path, () -> {
            if (!ops.getattr(caller(), path).isDirectory()) return -Errno.ENOTDIR;
            return 0;
        });
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int fsyncdir(String path, FuseFileInfo fi) {
        // Every namespace change is already one atomic batch in the core's write-ahead log.
        return 0;
    }

    // --- extended attributes ----------------------------------------------------------------

    @Override
    public int getxattr(String path, String name, Pointer value, @size_t long size) {
        return guard("getxattr", path, () -> {
            byte[] v = ops.getxattr(caller(), path, name);
            if (size == 0) return v.length;
            if (size < v.length) return -Errno.ERANGE;
            value.put(0, v, 0, v.length);
            return v.length;
        });
    }

    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        return guard("listxattr", path, () -> {
            ByteBuffer names = ByteBuffer.allocate(4096);
            for (String n : ops.listxattr(caller(), path)) {
                byte[] b = n.getBytes(StandardCharsets.UTF_8);
                if (names.remaining() < b.length + 1) {
                    ByteBuffer bigger = ByteBuffer.allocate(names.capacity() * 2 + b.length + 1);
                    names.flip();
                    names = bigger.put(names);
                }
                names.put(b).put((byte) 0);
            }
            int total = names.position();
            if (size == 0) return total;
            if (size < total) return -Errno.ERANGE;
            list.put(0, names.array(), 0, total);
            return total;
        });
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return guard("setxattr", path, () -> {
            byte[] v = new byte[(int) size];
            value.get(0, v, 0, v.length);
            int mode = (flags & XATTR_CREATE) != 0 ? 1 : (flags & XATTR_REPLACE) != 0 ? 2 : 0;
            ops.setxattr(caller(), path, name, v, mode);
            return 0;
        });
    }

    @Override
    public int removexattr(String path, String name) {
        return guard("removexattr", path, () -> { ops.removexattr(caller(), path, name); return 0; });
    }

    // --- lifecycle --------------------------------------------------------------------------

    @Override
    public void destroy(Pointer initResult) {
        // libfuse calls this once the kernel connection is gone: release what the kernel never did.
        ops.releaseAll();
    }
}
