package dev.semfs.versioning.internal;

import java.util.SplittableRandom;

/**
 * FastCDC content-defined chunking (Xia et al., USENIX ATC 2016) with normalised chunking:
 * a stricter mask before the average size and a looser one after it pull chunk sizes towards
 * the average, so an edit in the middle of a file changes one or two chunks, not all after it.
 *
 * <p>The gear table comes from a fixed seed and is part of the on-disk format: changing it
 * would not corrupt a store, but would stop new writes from deduplicating against old chunks.
 * Immutable and thread-safe.
 */
final class FastCdc {
    private static final long GEAR_SEED = 0x5e3f5c0dedL;
    private static final long[] GEAR = new long[256];

    static {
        SplittableRandom random = new SplittableRandom(GEAR_SEED);
        for (int i = 0; i < GEAR.length; i++) GEAR[i] = random.nextLong();
    }

    final int min;
    final int avg;
    final int max;
    private final long maskStrict;
    private final long maskLoose;

    FastCdc(int avg) {
        if (Integer.bitCount(avg) != 1) throw new IllegalArgumentException("average must be a power of two");
        this.avg = avg;
        this.min = avg / 4;
        this.max = avg * 4;
        int bits = Integer.numberOfTrailingZeros(avg);
        // The gear hash shifts left, so its high bits mix the most recent window: test those.
        this.maskStrict = highBits(bits + 1);
        this.maskLoose = highBits(bits - 1);
    }

    private static long highBits(int n) {
        return n <= 0 ? 0 : -1L << (64 - n);
    }

    /**
     * Length of the chunk that starts at {@code from}, looking no further than {@code to}.
     * When the data ends before a cut point is found, the remainder is one chunk.
     */
    int cut(byte[] data, int from, int to) {
        int n = to - from;
        if (n <= min) return n;
        if (n > max) n = max;
        int normal = Math.min(avg, n);
        long hash = 0;
        int i = min;
        for (; i < normal; i++) {
            hash = (hash << 1) + GEAR[data[from + i] & 0xff];
            if ((hash & maskStrict) == 0) return i + 1;
        }
        for (; i < n; i++) {
            hash = (hash << 1) + GEAR[data[from + i] & 0xff];
            if ((hash & maskLoose) == 0) return i + 1;
        }
        return n;
    }
}
