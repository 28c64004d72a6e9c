package dev.semfs.fuse.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Whether the machine has a CPU to spare: the threads runnable right now (the kernel's
 * nr_running, the fourth field of /proc/loadavg, the reading thread included) are no more than
 * the CPUs this process may use. The FUSE loop polls for the next request only then: a CPU that
 * another thread wants is not going idle, so blocking costs no wake-up of a halted vCPU, and
 * polling would take the CPU from that thread (the store's chunking, the JIT, the GC).
 *
 * <p>One pread(2) of a descriptor kept open, 1.3 to 2 µs; a machine without the file (or one
 * whose file cannot be parsed, or gives no count) never has a CPU to spare, so the loop blocks
 * as libfuse's does. The count is the whole machine's while the CPUs are this process's (its
 * CPU set or quota): in a container on a busy host the loop therefore blocks, which costs the
 * wake-ups polling saves but never takes a CPU the container's own threads want.
 */
final class RunnableThreads implements AutoCloseable {
    private final FileChannel loadavg;
    private final ByteBuffer buf = ByteBuffer.allocate(128);
    private final int cpus;

    private RunnableThreads(FileChannel loadavg, int cpus) {
        this.loadavg = loadavg;
        this.cpus = cpus;
    }

    static RunnableThreads open(Path loadavg, int cpus) {
        try {
            return new RunnableThreads(FileChannel.open(loadavg, StandardOpenOption.READ), cpus);
        } catch (IOException | UnsupportedOperationException e) {
            return new RunnableThreads(null, cpus);
        }
    }

    static RunnableThreads ofThisMachine() {
        return open(Path.of("/proc/loadavg"), Runtime.getRuntime().availableProcessors());
    }

    boolean cpuToSpare() {
        int running = running();
        return running > 0 && running <= cpus;
    }

    /** nr_running from "0.95 0.80 0.41 2/345 12345", or -1. */
    int running() {
        if (loadavg == null) return -1;
        try {
            buf.clear();
            int n = loadavg.read(buf, 0);
            int spaces = 0, value = -1;
            for (int i = 0; i < n; i++) {
                byte b = buf.get(i);
                if (spaces == 3) {
                    if (b >= '0' && b <= '9') value = (value < 0 ? 0 : value * 10) + (b - '0');
                    else return value;
                } else if (b == ' ') {
                    spaces++;
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            if (loadavg != null) loadavg.close();
        } catch (IOException ignored) {
            // read-only procfs descriptor: nothing to lose
        }
    }
}
