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
 * <p>Reads and writes are guarded by its node's lock; force, close and delete are synchronized
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
    private boolean closed;
    /**
     * The file's name may not be on disk yet (a new file, or one found after a restart): forcing
     * the file alone does not make its directory entry durable, so its first force forces the
     * directory too, else a machine crash can keep a record and lose the file it names.
     */
    private boolean nameUnforced = true;

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

    void write(long pos, byte[] src, int off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(src, off, len);
        try {
            FileChannel c = channel();
            while (b.hasRemaining()) c.write(b, pos + (b.position() - off));
        } catch (IOException e) {
            throw noSpace(e);
        }
    }

    /** Reads [pos, pos+len) into buf; bytes past the end of the file read as zeros. */
    void read(long pos, byte[] buf, int off, int len) throws IOException {
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
    synchronized void force() throws IOException {
        if (closed) return;
        channel().force(false);
        forces.incrementAndGet();
        if (nameUnforced) {
            forceDirectory(path.getParent());
            nameUnforced = false;
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
    public synchronized void close() throws IOException {
        closed = true;
        ch.close();
    }

    synchronized void delete() throws IOException {
        closed = true;
        ch.close();
        Files.deleteIfExists(path);
    }

    private static IOException noSpace(IOException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("No space left")) return new SemfsException(ErrorCode.NO_SPACE, null, "the store's disk is full: " + msg);
        return e;
    }
}
