package dev.semfs.versioning;

import java.time.Clock;

/**
 * How a store is opened.
 *
 * @param clock          time source for node times, versions and the change log
 * @param avgChunkSize   FastCDC target chunk size in bytes (a power of two); min is 1/4, max 4x
 * @param dirtyLimit     bytes of buffered writes per node before they are chunked and stored
 */
public record StoreOptions(Clock clock, int avgChunkSize, int dirtyLimit) {
    public static final int DEFAULT_AVG_CHUNK = 32 * 1024;

    public StoreOptions {
        if (Integer.bitCount(avgChunkSize) != 1 || avgChunkSize < 1024 || avgChunkSize > (1 << 22))
            throw new IllegalArgumentException("average chunk size must be a power of two in [1 KiB, 4 MiB]");
        if (dirtyLimit < avgChunkSize) throw new IllegalArgumentException("dirty limit below chunk size");
    }

    public static StoreOptions defaults() {
        return new StoreOptions(Clock.systemUTC(), DEFAULT_AVG_CHUNK, 8 * 1024 * 1024);
    }

    public StoreOptions withClock(Clock c) { return new StoreOptions(c, avgChunkSize, dirtyLimit); }

    public StoreOptions withAvgChunkSize(int s) { return new StoreOptions(clock, s, Math.max(dirtyLimit, s)); }
}
