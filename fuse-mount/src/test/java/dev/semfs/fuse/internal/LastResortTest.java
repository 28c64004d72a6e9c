package dev.semfs.fuse.internal;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** An Error escaping a FUSE callback would end the JVM: the binding turns it into a failed request. */
class LastResortTest {
    static int failsWithAnError(MemorySegment path, long size) {
        throw new StackOverflowError("deep");
    }

    static MemorySegment initFails(MemorySegment conn, MemorySegment cfg) {
        throw new OutOfMemoryError("heap");
    }

    static void destroyFails(MemorySegment data) {
        throw new IllegalStateException("late");
    }

    static int works(MemorySegment path, long size) {
        return (int) size;
    }

    private static MethodHandle find(String name, MethodType type) throws ReflectiveOperationException {
        return Fuse3FileSystem.lastResort(MethodHandles.lookup().findStatic(LastResortTest.class, name, type), name);
    }

    @Test
    void anErrorBecomesEioNullOrNothingByTheCallbacksReturnType() throws Throwable {
        MethodType intCall = MethodType.methodType(int.class, MemorySegment.class, long.class);
        assertEquals(-Errno.EIO, (int) find("failsWithAnError", intCall).invokeExact(MemorySegment.NULL, 7L));
        assertEquals(7, (int) find("works", intCall).invokeExact(MemorySegment.NULL, 7L));
        MethodType init = MethodType.methodType(MemorySegment.class, MemorySegment.class, MemorySegment.class);
        assertEquals(MemorySegment.NULL, (MemorySegment) find("initFails", init).invokeExact(MemorySegment.NULL, MemorySegment.NULL));
        find("destroyFails", MethodType.methodType(void.class, MemorySegment.class)).invokeExact(MemorySegment.NULL);
    }
}
