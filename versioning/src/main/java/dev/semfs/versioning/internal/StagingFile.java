package dev.semfs.versioning.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain, sparse file holding a node's written bytes at their own offsets until they are cut
 * into chunks: writes land here at file-system speed, and the chunking happens later, in slices
 * (in the background once the file is closed). Which byte ranges are staged is kept by
 * {@link FileContent}; a sealed staging file is named, with its ranges, by a record in the
 * key-value store (see {@link RocksWorkspaceStore}).
 *
 * <p>Reads and writes are guarded by its node's lock, except that reads may run beside a
 * background slice, whose one write here (a chunk's tail staged again) covers bytes no reader
 * takes from this file until the slice is applied; positional reads and writes of one channel
 * may run at once, and the bookkeeping is synchronized. Force, close and delete are synchronized
 * as well, since a sync forces every recorded staging file from its own thread.
 */
final class StagingFile implements AutoCloseable {
    /** Forces of staging files done, in this process: tests see whether a sync forced them. */
    static final AtomicLong forces = new AtomicLong();
    /** Forces of directories done, in this process: tests see that new names are made durable. */
    static final AtomicLong dirForces = new AtomicLong();

    final Path path;
    /**
     * A channel closes itself when a thread using it is interrupted: it is then reopened, so an
     * interrupt can neither lose the file for its node nor let a sync skip forcing it.
     */
    private volatile FileChannel ch;
    /** Closed or deleted on purpose: never reopened. */
    private volatile boolean closed;
    /**
     * The file's name may not be on disk yet (a new file, or one found after a restart): forcing
     * the file alone does not make its directory entry durable, so its first force forces the
     * directory too, else a machine crash can keep a record and lose the file it names. Guarded
     * by {@link #forceLock}.
     */
    private boolean nameUnforced = true;
    /**
     * Held while forcing, closing or deleting; not the monitor, which a write or read takes for
     * its bookkeeping and must not wait for an fsync under way.
     */
    private final java.util.concurrent.locks.ReentrantLock forceLock = new java.util.concurrent.locks.ReentrantLock();
    /** Writes handed to {@link #WRITER}, and those of them done (written or failed); guarded by this. */
    private long submitted, completed;
    /**
     * Writes behind that failed, and every later one of this file (kept out of the file so that
     * a retry cannot land under a newer write), in order; retried by {@link #drain}. Guarded by this.
     */
    private final java.util.ArrayDeque<Pending> failed = new java.util.ArrayDeque<>();

    private record Pending(long pos, ByteBuffer bytes) {}

    /** Smaller writes are written at once: handing them over would cost more than it saves. */
    static final int WRITE_BEHIND_MIN = 32 * 1024;
    /** Bytes written behind and not yet in their files, in this process, at most about this many. */
    private static final long MAX_PENDING_BYTES = 16L << 20;
    private static final Object BUDGET = new Object();
    private static long pendingBytes; // guarded by BUDGET
    /** One thread for every staging file: it keeps each file's writes in order. */
    private static final java.util.concurrent.ExecutorService WRITER = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "semfs-staging-writer");
        t.setDaemon(true);
        return t;
    });

    private StagingFile(Path path, FileChannel ch) {
        this.path = path;
        this.ch = ch;
    }

    /** Creates a new, empty staging file. */
    static StagingFile create(Path path) throws IOException {
        Path dir = path.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            forceDirectory(dir.getParent()); // the staging directory's own name
        }
        return new StagingFile(path, FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE));
    }

    /** Opens an existing staging file (after a restart); a missing one is created empty. */
    static StagingFile open(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        return new StagingFile(path, FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE));
    }

    /**
     * Writes [off, off+len) of src at pos. A large write is copied and written behind, by one
     * writer thread for all staging files, so that the caller (the mount's loop) answers the
     * next request while the kernel fills the page cache with this one: a 128 KiB pwrite cost
     * 285 us of the loop's time per write in dd's 512 MiB run. Everything that looks at the
     * file's bytes waits for its writes first ({@link #drain}). A write behind that fails (a full
     * disk) is kept and retried by the next drain; until one succeeds, the file's writes, reads,
     * drains and forces fail with its error, as a kernel reports write-back errors at the next
     * fsync or close.
     */
    void write(long pos, byte[] src, int off, int len) throws IOException {
        if (len < WRITE_BEHIND_MIN) {
            drain(); // after the writes behind it, which it may overlap; retries failed ones
            writeNow(pos, ByteBuffer.wrap(src, off, len));
            return;
        }
        if (hasFailed()) drain(); // retries; throws while the disk is still full
        ByteBuffer copy = ByteBuffer.wrap(Arrays.copyOfRange(src, off, off + len));
        reserve(len);
        synchronized (this) {
            submitted++;
        }
        try {
            WRITER.execute(() -> writeBehind(pos, copy));
        } catch (Throwable e) {
            writeBehind(pos, copy); // no writer thread (rejected, or none could start): write it here
        }
    }

    private synchronized boolean hasFailed() {
        return !failed.isEmpty();
    }

    private void writeBehind(long pos, ByteBuffer copy) {
        int len = copy.remaining();
        try {
            boolean behindAFailure;
            synchronized (this) {
                behindAFailure = !failed.isEmpty();
            }
            Throwable error = null;
            if (!behindAFailure) {
                try {
                    writeNow(pos, copy.duplicate());
                } catch (Throwable e) {
                    error = e;
                }
            }
            synchronized (this) {
                if (behindAFailure || error != null) failed.addLast(new Pending(pos, copy));
                completed++;
                notifyAll();
            }
        } finally {
            unreserve(len);
        }
    }

    private void writeNow(long pos, ByteBuffer b) throws IOException {
        int start = b.position();
        try {
            FileChannel c = channel();
            while (b.hasRemaining()) c.write(b, pos + (b.position() - start));
        } catch (IOException e) {
            throw noSpace(e);
        }
    }

    /**
     * Waits for the writes behind made so far to reach the file, and retries those that failed,
     * in order; throws if one still fails (its bytes stay kept for the next try).
     */
    synchronized void drain() throws IOException {
        long ticket = submitted;
        boolean interrupted = false;
        while (completed < ticket) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true; // the bytes must be in the file before anyone looks: wait on
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        while (!failed.isEmpty()) {
            Pending p = failed.peekFirst();
            try {
                writeNow(p.pos(), p.bytes().duplicate());
            } catch (IOException | RuntimeException e) {
                IOException io = e instanceof IOException x ? x : new IOException(e);
                if (io instanceof SemfsException) throw io;
                throw new IOException("a write to the staging file " + path.getFileName() + " failed: " + io.getMessage(), io);
            }
            failed.removeFirst();
        }
    }

    private static void reserve(int len) {
        synchronized (BUDGET) {
            boolean interrupted = false;
            while (pendingBytes > 0 && pendingBytes + len > MAX_PENDING_BYTES) {
                try {
                    BUDGET.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            pendingBytes += len;
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static void unreserve(int len) {
        synchronized (BUDGET) {
            pendingBytes -= len;
            BUDGET.notifyAll();
        }
    }

    /** Reads [pos, pos+len) into buf; bytes past the end of the file read as zeros. */
    void read(long pos, byte[] buf, int off, int len) throws IOException {
        drain();
        ByteBuffer b = ByteBuffer.wrap(buf, off, len);
        FileChannel c = channel();
        while (b.hasRemaining()) {
            int n = c.read(b, pos + (b.position() - off));
            if (n < 0) {
                Arrays.fill(buf, b.position(), off + len, (byte) 0);
                return;
            }
        }
    }

    /** Forces the file's bytes to disk; nothing once it is closed or deleted on purpose. */
    void force() throws IOException {
        drain();
        forceLock.lock();
        try {
            if (closed) return;
            channel().force(false);
            forces.incrementAndGet();
            if (nameUnforced) {
                forceDirectory(path.getParent());
                nameUnforced = false;
            }
        } finally {
            forceLock.unlock();
        }
    }

    private FileChannel channel() throws IOException {
        FileChannel c = ch;
        return c.isOpen() ? c : reopen();
    }

    private synchronized FileChannel reopen() throws IOException {
        if (closed) throw new java.nio.channels.ClosedChannelException();
        if (!ch.isOpen()) ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return ch;
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
        dirForces.incrementAndGet();
    }

    @Override
    public void close() throws IOException {
        awaitWritesBehind();
        forceLock.lock();
        try {
            closed = true;
            ch.close();
        } finally {
            forceLock.unlock();
        }
    }

    void delete() throws IOException {
        awaitWritesBehind();
        forceLock.lock();
        try {
            closed = true;
            ch.close();
            Files.deleteIfExists(path);
        } finally {
            forceLock.unlock();
        }
    }

    /** Lets the writes behind finish before the channel goes; failed ones go with the file. */
    private synchronized void awaitWritesBehind() {
        try {
            drain();
        } catch (IOException ignored) {
            // closing or deleting: what failed was reported by a read, write, drain or force
        }
        failed.clear();
    }

    private static IOException noSpace(IOException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("No space left")) return new SemfsException(ErrorCode.NO_SPACE, null, "the store's disk is full: " + msg);
        return e;
    }
}
