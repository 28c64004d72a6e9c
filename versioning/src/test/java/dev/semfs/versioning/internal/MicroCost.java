package dev.semfs.versioning.internal;

import java.util.SplittableRandom;

/** Prints the CPU cost of chunking and hashing, the floor under the store's write path. */
public final class MicroCost {
    public static void main(String[] args) {
        byte[] data = new byte[256 << 20];
        new SplittableRandom(1).nextBytes(data);
        FastCdc cdc = new FastCdc(32 * 1024);
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            int pos = 0, chunks = 0;
            while (pos < data.length) { pos += cdc.cut(data, pos, data.length); chunks++; }
            long t1 = System.nanoTime();
            byte[] h = null;
            for (int p = 0; p < data.length; p += 32768) h = Hashes.sha256(data, p, 32768);
            long t2 = System.nanoTime();
            System.out.printf("cdc %.0f MB/s (%d chunks), sha256 %.0f MB/s%n", data.length / 1e3 / ((t1 - t0) / 1e6), chunks,
                    data.length / 1e3 / ((t2 - t1) / 1e6));
        }
    }
}
