package dev.semfs.cli.internal;

import dev.semfs.syscalls.Content;
import dev.semfs.syscalls.Op;
import java.io.IOException;

/** Whole-file reads through the core API in bounded pieces, shared by cat and export. */
final class Transfers {
    /** Bytes per core call: large enough to amortise a call, small enough to bound memory. */
    static final int CHUNK = 1 << 20;

    private Transfers() {}

    @FunctionalInterface
    interface Sink {
        void accept(byte[] b, int off, int len) throws IOException;
    }

    /**
     * Reads {@code path} to its end, handing each piece to {@code sink}; returns the last
     * response (path, size, version). Stops at the size the first read reported, or earlier if
     * the file shrinks meanwhile.
     */
    static Content read(Session s, String path, Sink sink) throws IOException {
        long offset = 0;
        Content c = s.call(new Op.ReadFile(path, 0, CHUNK));
        long size = c.size();
        while (true) {
            int n = c.data().length;
            if (n > 0) sink.accept(c.data(), 0, n);
            offset += n;
            if (n == 0 || offset >= size) return c;
            c = s.call(new Op.ReadFile(path, offset, CHUNK));
        }
    }

    /**
     * Writes all of {@code in} through an open handle from {@code offset}, then releases the
     * handle, which cuts the file's version; each piece is reported to {@code progress}. A failed
     * release after a failed write is attached to the first failure. Returns the end offset.
     */
    static long writeAndRelease(Session s, dev.semfs.syscalls.Handle h, long offset, java.io.InputStream in,
                                java.util.function.LongConsumer progress) throws IOException {
        Throwable failure = null;
        try {
            while (true) {
                // A fresh array per call: the core may keep a reference to what it is given.
                byte[] piece = in.readNBytes(CHUNK);
                if (piece.length == 0) break;
                s.call(new dev.semfs.syscalls.Op.HandleWrite(h.id(), offset, piece));
                offset += piece.length;
                progress.accept(piece.length);
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            try {
                s.call(new dev.semfs.syscalls.Op.Release(h.id()));
            } catch (IOException | RuntimeException e) {
                if (failure == null) throw e;
                failure.addSuppressed(e);
            }
        }
        return offset;
    }
}
