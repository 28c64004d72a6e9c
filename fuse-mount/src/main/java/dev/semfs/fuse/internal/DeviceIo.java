package dev.semfs.fuse.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Negotiates FUSE_HANDLE_KILLPRIV_V2, which libfuse 3.14 does not know: the mount answers the
 * kernel's INIT itself, before libfuse's loop starts, with libfuse writing its reply through a
 * writev of ours (libfuse 3.14's {@code fuse_session_custom_io}) that adds the flag when the
 * kernel offered it. Then libc's own read and writev do the device I/O, as libfuse's would.
 *
 * <p>Under the flag the kernel marks the mount SB_NOSEC and stops asking for
 * {@code security.capability} before every write(2) of a file without set-ID bits (a round trip
 * each, half of what a 4 KiB write cost). In exchange the file system clears set-user-ID and
 * set-group-ID bits itself (see {@link Fuse3FileSystem}).
 *
 * <p>No Java runs on the device path once INIT is answered: a thread blocked in a downcall made
 * from an upcall (a read of the device from a Java read callback) made the JVM crash when it
 * walked that thread's stack to close a shared arena (Temurin 25.0.3).
 */
final class DeviceIo {
    private DeviceIo() {}

    // struct fuse_in_header { u32 len; u32 opcode; u64 unique; ... } (40 bytes); struct fuse_out_header { u32 len; s32 error; u64 unique; }
    private static final long IN_OPCODE = 4, IN_UNIQUE = 8, IN_HEADER = 40, OUT_ERROR = 4, OUT_UNIQUE = 8;
    private static final int FUSE_INIT = 26;
    /** fuse_init_in and fuse_init_out: {@code flags} after major, minor, max_readahead. */
    private static final long INIT_FLAGS = 12;
    static final int FUSE_HANDLE_KILLPRIV_V2 = 1 << 28;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle WRITEV = LINKER.downcallHandle(LINKER.defaultLookup().find("writev").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final FunctionDescriptor WRITEV_FN = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
    /**
     * libc's read and writev as libfuse's custom I/O: they take libfuse's (fd, buffer, length) and
     * (fd, iov, count) in the same registers, and ignore its extra userdata argument.
     */
    private static final MemorySegment LIBC_READ = LINKER.defaultLookup().find("read").orElseThrow();
    private static final MemorySegment LIBC_WRITEV = LINKER.defaultLookup().find("writev").orElseThrow();

    /**
     * Answers the kernel's INIT on the calling thread, through libfuse and asking for
     * FUSE_HANDLE_KILLPRIV_V2 when the kernel offers it; returns whether it was agreed. Call it
     * after fuse_mount and before the loop starts. False, with libfuse left to answer INIT in
     * its loop, when this libfuse has no custom I/O.
     */
    static boolean negotiate(MemorySegment fuse, Arena arena) {
        if (!LibFuse3.hasCustomIo()) return false;
        long[] init = {-1, 0}; // the INIT request's unique id; 1 once the flag went out in the reply
        MemorySegment io = arena.allocate(4 * ADDRESS.byteSize()); // writev, read, splice_receive, splice_send
        io.set(ADDRESS, 0, initWritev(arena, init));
        io.set(ADDRESS, ADDRESS.byteSize(), LIBC_READ);
        if (LibFuse3.customIo(fuse, io) != 0) return false;
        try {
            LibFuse3.serveOne(fuse, request -> {
                if (request.byteSize() >= IN_HEADER + INIT_FLAGS + 4 && request.get(JAVA_INT, IN_OPCODE) == FUSE_INIT
                        && (request.get(JAVA_INT, IN_HEADER + INIT_FLAGS) & FUSE_HANDLE_KILLPRIV_V2) != 0) {
                    init[0] = request.get(JAVA_LONG, IN_UNIQUE);
                }
            });
        } finally {
            MemorySegment plain = arena.allocate(4 * ADDRESS.byteSize());
            plain.set(ADDRESS, 0, LIBC_WRITEV);
            plain.set(ADDRESS, ADDRESS.byteSize(), LIBC_READ);
            if (LibFuse3.customIo(fuse, plain) != 0) throw new IllegalStateException("libfuse refused its device I/O back");
        }
        return init[1] == 1;
    }

    private static MemorySegment initWritev(Arena arena, long[] init) {
        try {
            MethodHandle h = MethodHandles.lookup().findStatic(DeviceIo.class, "writev", MethodType.methodType(long.class,
                    long[].class, int.class, MemorySegment.class, int.class, MemorySegment.class)).bindTo(init);
            return LINKER.upcallStub(Fuse3FileSystem.lastResort(h, "writev"), WRITEV_FN, arena);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("device writev callback", e);
        }
    }

    /**
     * libfuse's reply to INIT, the only one written through here: the flag added, then written
     * whatever happens to the adding (a reply that never reaches the kernel hangs the mount).
     */
    private static long writev(long[] init, int fd, MemorySegment iov, int count, MemorySegment userdata) throws Throwable {
        try {
            addFlag(init, iov, count);
        } catch (RuntimeException e) {
            init[1] = 0;
        }
        return (long) WRITEV.invokeExact(fd, iov, count);
    }

    private static void addFlag(long[] init, MemorySegment iov, int count) {
        if (init[0] != -1 && count >= 2) {
            MemorySegment v = iov.reinterpret(count * 16L); // struct iovec { void *iov_base; size_t iov_len; }
            MemorySegment header = v.get(ADDRESS, 0).reinterpret(16);
            if (header.get(JAVA_LONG, OUT_UNIQUE) == init[0] && header.get(JAVA_INT, OUT_ERROR) == 0
                    && v.get(JAVA_LONG, 24) >= INIT_FLAGS + 4) {
                MemorySegment out = v.get(ADDRESS, 16).reinterpret(INIT_FLAGS + 4);
                out.set(JAVA_INT, INIT_FLAGS, out.get(JAVA_INT, INIT_FLAGS) | FUSE_HANDLE_KILLPRIV_V2);
                init[1] = 1;
            }
        }
    }
}
