package dev.semfs.versioning.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Chunk bodies in append-only pack files, written once through the page cache (not through the
 * key-value store's write-ahead log, which would write every byte twice). The key-value store
 * keeps only each chunk's location, in the same batch as the metadata that refers to it.
 *
 * <p>Pack layout, format {@link #FORMAT}: file {@code NNNNNNNN.pack}; an 8-byte header
 * {@code "SEMFSPK"} + format byte; then records of a 32-byte SHA-256, a 4-byte big-endian
 * length and the chunk bytes. A location points at the chunk bytes of one record; records are
 * self-describing so a pack can be verified or re-indexed on its own.
 *
 * <p>Durability order: {@link #sync} forces the packs before the caller syncs the write-ahead
 * log, so a synced batch never names bytes that are not on disk. A process kill loses nothing
 * written, as writes reach the page cache before the batch that names them is written.
 *
 * <p>Thread-safe: appends are serialised; reads are positional and concurrent.
 */
final class PackStore implements AutoCloseable {
    static final int FORMAT = 1;
    private static final byte[] MAGIC = {'S', 'E', 'M', 'F', 'S', 'P', 'K', FORMAT};
    private static final int RECORD_HEADER = Hashes.LENGTH + 4;

    /** Where a chunk's bytes are. */
    record Loc(int pack, long offset, int length) {
        byte[] encode() {
            byte[] b = new byte[16];
            Codec.putLong(b, 0, ((long) pack << 32) | (length & 0xffffffffL));
            Codec.putLong(b, 8, offset);
            return b;
        }

        static Loc decode(byte[] b) {
            long packAndLength = Codec.getLong(b, 0);
            return new Loc((int) (packAndLength >>> 32), Codec.getLong(b, 8), (int) packAndLength);
        }
    }

    private final Path dir;
    private final long maxPackBytes;
    private final ConcurrentHashMap<Integer, FileChannel> readers = new ConcurrentHashMap<>();
    private final Object appendLock = new Object();
    private FileChannel current;
    private volatile int currentId;
    private long writePos;
    /** Appended records not written yet (one write per megabyte, not per chunk); written before any batch names them. */
    private final ByteBuffer out = ByteBuffer.allocateDirect(1 << 20);
    /** File offset of the first byte in {@link #out}. */
    private long outStart;
    /** Bytes of the current pack below this offset are in the file. */
    private volatile long flushedEnd;
    private final java.util.Set<Integer> unsynced = ConcurrentHashMap.newKeySet();

    PackStore(Path dir, long maxPackBytes) throws IOException {
        this.dir = dir;
        this.maxPackBytes = maxPackBytes;
        Files.createDirectories(dir);
        List<Integer> ids = packIds();
        openForAppend(ids.isEmpty() ? 1 : ids.getLast());
    }

    List<Integer> packIds() throws IOException {
        List<Integer> ids = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".pack")) ids.add(Integer.parseInt(n.substring(0, n.length() - 5)));
            }
        }
        ids.sort(null);
        return ids;
    }

    private Path path(int id) {
        return dir.resolve(String.format("%08d.pack", id));
    }

    private void openForAppend(int id) throws IOException {
        FileChannel ch = FileChannel.open(path(id), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = ch.size();
        if (size < MAGIC.length) {
            ch.write(ByteBuffer.wrap(MAGIC), 0);
            size = MAGIC.length;
        } else {
            ByteBuffer head = ByteBuffer.allocate(MAGIC.length);
            ch.read(head, 0);
            if (head.get(MAGIC.length - 1) != FORMAT) throw new IOException("pack " + path(id) + " has unknown format " + head.get(MAGIC.length - 1));
        }
        ch.position(size);
        current = ch;
        currentId = id;
        writePos = size; // anything past the last complete record of a killed writer is simply unreferenced
        out.clear();
        outStart = size;
        flushedEnd = size;
        readers.put(id, ch);
    }

    /**
     * Appends a chunk and returns where it is. The record may stay buffered until {@link #flush}
     * (or a sync, or a read of it): callers flush before writing a batch that names it.
     */
    Loc append(byte[] hash, byte[] data) throws IOException {
        return append(hash, data, 0, data.length);
    }

    /** Appends {@code len} bytes at {@code off} of {@code data} as a chunk; see {@link #append(byte[], byte[])}. */
    Loc append(byte[] hash, byte[] data, int off, int len) throws IOException {
        synchronized (appendLock) {
            if (writePos + RECORD_HEADER + len > maxPackBytes && writePos > MAGIC.length) {
                flushLocked();
                unsynced.add(currentId);
                openForAppend(currentId + 1);
            }
            long pos = writePos;
            byte[] header = new byte[RECORD_HEADER];
            System.arraycopy(hash, 0, header, 0, Hashes.LENGTH);
            ByteBuffer.wrap(header).putInt(Hashes.LENGTH, len);
            buffer(header, 0, header.length);
            buffer(data, off, len);
            writePos = pos + RECORD_HEADER + len;
            unsynced.add(currentId);
            return new Loc(currentId, pos + RECORD_HEADER, len);
        }
    }

    private void buffer(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        while (off < end) {
            if (!out.hasRemaining()) flushLocked();
            int n = Math.min(end - off, out.remaining());
            out.put(b, off, n);
            off += n;
        }
    }

    /** Writes the buffered records. Caller holds the append lock. */
    private void flushLocked() throws IOException {
        if (out.position() == 0) return;
        out.flip();
        long p = outStart;
        try {
            while (out.hasRemaining()) p += current.write(out, p);
        } catch (IOException e) {
            // The records buffered since the last flush belong to a batch that now fails: drop them.
            out.clear();
            writePos = outStart;
            throw e;
        }
        out.clear();
        outStart = p;
        flushedEnd = p;
    }

    /** Writes every appended record to its pack file (through the page cache). */
    void flush() throws IOException {
        synchronized (appendLock) {
            flushLocked();
        }
    }

    /** Makes sure bytes below {@code end} of pack {@code pack} are in the file before reading them. */
    private void readable(int pack, long end) throws IOException {
        if (pack == currentId && end > flushedEnd) flush();
    }

    byte[] read(Loc loc) throws IOException {
        readable(loc.pack(), loc.offset() + loc.length());
        FileChannel ch = reader(loc.pack());
        byte[] out = new byte[loc.length()];
        ByteBuffer buf = ByteBuffer.wrap(out);
        long pos = loc.offset();
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) throw new IOException("pack " + loc.pack() + " ends before chunk at " + loc.offset());
        }
        return out;
    }

    /**
     * Copies {@code len} bytes at {@code pos} of pack {@code pack} straight into {@code buf}
     * (no intermediate chunk copy); false when that pack is gone (its chunks were moved).
     */
    boolean readInto(int pack, long pos, byte[] buf, int off, int len) throws IOException {
        try {
            readable(pack, pos + len);
            FileChannel ch = reader(pack);
            ByteBuffer b = ByteBuffer.wrap(buf, off, len);
            while (b.hasRemaining()) {
                int n = ch.read(b, pos + (b.position() - off));
                if (n < 0) throw new IOException("pack " + pack + " ends before " + (pos + len));
            }
            return true;
        } catch (IOException | java.io.UncheckedIOException e) {
            IOException io = e instanceof java.io.UncheckedIOException u ? u.getCause() : (IOException) e;
            if (isGone(io)) return false;
            throw io;
        }
    }

    /** Per-thread buffer for reading runs of adjacent chunks with one system call. */
    private static final ThreadLocal<ByteBuffer> RUN_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1 << 20));
    static final int MAX_RUN = 1 << 20;

    /**
     * Reads a run of chunk bodies that lie one after another in a pack (each after its record
     * header) with one positional read: {@code pieces[0..n)} bytes of consecutive bodies, the
     * first starting at pack offset {@code from}, go one after another into {@code buf}. The
     * span read must not exceed {@link #MAX_RUN}. False when the pack is gone.
     */
    boolean readRun(int pack, long from, int[] pieces, int n, byte[] buf, int off) throws IOException {
        long span = 0;
        for (int i = 0; i < n; i++) span += pieces[i] + (i > 0 ? RECORD_HEADER : 0);
        if (span > MAX_RUN) throw new IllegalArgumentException("run of " + span + " bytes");
        ByteBuffer b = RUN_BUFFER.get();
        b.clear().limit((int) span);
        try {
            readable(pack, from + span);
            FileChannel ch = reader(pack);
            while (b.hasRemaining()) {
                int r = ch.read(b, from + b.position());
                if (r < 0) throw new IOException("pack " + pack + " ends before " + (from + span));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            IOException io = e instanceof java.io.UncheckedIOException u ? u.getCause() : (IOException) e;
            if (isGone(io)) return false;
            throw io;
        }
        int at = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0) at += RECORD_HEADER;
            b.get(at, buf, off, pieces[i]);
            off += pieces[i];
            at += pieces[i];
        }
        return true;
    }

    static int recordHeader() {
        return RECORD_HEADER;
    }

    private FileChannel reader(int id) throws IOException {
        FileChannel ch = readers.get(id);
        if (ch != null && ch.isOpen()) return ch;
        Path p = path(id);
        if (!Files.exists(p)) throw new NoSuchFileException(p.toString(), null, "pack is gone");
        return readers.computeIfAbsent(id, k -> {
            try {
                return FileChannel.open(p, StandardOpenOption.READ);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** Forces every pack written since the last sync to disk. */
    void sync() throws IOException {
        flush();
        for (Integer id : List.copyOf(unsynced)) {
            FileChannel ch = readers.get(id);
            if (ch != null && ch.isOpen()) ch.force(false);
            unsynced.remove(id);
        }
    }

    /** Starts a new pack, so that the current one can be compacted like any other. */
    void rollOver() throws IOException {
        synchronized (appendLock) {
            if (writePos <= MAGIC.length) return; // nothing in it yet
            flushLocked();
            unsynced.add(currentId);
            openForAppend(currentId + 1);
        }
    }

    int currentPack() {
        return currentId;
    }

    /** Sizes of all packs, by id. */
    Map<Integer, Long> sizes() throws IOException {
        Map<Integer, Long> out = new TreeMap<>();
        for (int id : packIds()) out.put(id, Files.size(path(id)));
        return out;
    }

    long totalBytes() throws IOException {
        return sizes().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Deletes a pack whose chunks all live elsewhere now. */
    void delete(int id) throws IOException {
        if (id == currentPack()) throw new IllegalStateException("cannot delete the pack being written");
        FileChannel ch = readers.remove(id);
        if (ch != null) ch.close();
        unsynced.remove(id);
        Files.deleteIfExists(path(id));
    }

    static boolean isGone(IOException e) {
        return e instanceof ClosedChannelException || e instanceof NoSuchFileException;
    }

    @Override
    public void close() throws IOException {
        sync();
        for (FileChannel ch : readers.values()) ch.close();
        readers.clear();
    }
}
