package dev.semfs.versioning.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The live content of one file: its stored extent list plus writes buffered in memory. A flush
 * re-chunks only the regions that writes touched, widened to the enclosing chunk boundaries, so
 * a small edit of a large file stores one or two new chunks and the file's other chunks stay
 * shared with its earlier versions.
 *
 * <p>Flushing is two-phase: {@link #planFlush} computes the new extent list and chunk bodies
 * without changing anything, the store commits them in one batch, and only then {@link #apply}
 * installs them; a failed commit (a full disk) loses no buffered write.
 *
 * <p>Not thread-safe: the store guards each instance with its node's lock.
 */
final class FileContent {
    interface ChunkReader {
        byte[] read(byte[] hash) throws IOException;
    }

    /** New extents of the whole file and the bodies of chunks this flush created. */
    record Plan(List<Extent> extents, Map<Key, byte[]> newChunks, long size) {}

    /** A hash usable as a map key. */
    record Key(byte[] hash) {
        @Override public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(hash, k.hash);
        }

        @Override public int hashCode() {
            return Arrays.hashCode(hash);
        }
    }

    private final FastCdc cdc;
    private final ChunkReader chunks;
    private List<Extent> extents;
    private long[] starts;
    private long covered;
    private long size;
    private final TreeMap<Long, byte[]> dirty = new TreeMap<>();
    private long dirtyBytes;

    FileContent(FastCdc cdc, ChunkReader chunks, List<Extent> extents) {
        this.cdc = cdc;
        this.chunks = chunks;
        install(extents);
        this.size = covered;
    }

    long size() {
        return size;
    }

    boolean isDirty() {
        return !dirty.isEmpty() || size != covered;
    }

    long dirtyBytes() {
        return dirtyBytes;
    }

    List<Extent> extents() {
        return extents;
    }

    private void install(List<Extent> list) {
        this.extents = List.copyOf(list);
        this.starts = new long[extents.size()];
        long pos = 0;
        for (int i = 0; i < extents.size(); i++) {
            starts[i] = pos;
            pos += extents.get(i).length();
        }
        this.covered = pos;
    }

    // --- reads -------------------------------------------------------------------------------

    int read(long off, byte[] buf, int boff, int len) throws IOException {
        if (off >= size || len <= 0) return 0;
        int n = (int) Math.min(len, size - off);
        Arrays.fill(buf, boff, boff + n, (byte) 0);
        readStored(off, buf, boff, n);
        overlayDirty(off, buf, boff, n);
        return n;
    }

    /** Copies stored content of [off, off+n) into buf; holes and space past the stored end stay zero. */
    private void readStored(long off, byte[] buf, int boff, int n) throws IOException {
        long end = Math.min(off + n, covered);
        if (off >= end) return;
        int i = indexOf(off);
        long pos = off;
        while (pos < end) {
            Extent e = extents.get(i);
            long eStart = starts[i];
            long eEnd = eStart + e.length();
            long to = Math.min(eEnd, end);
            if (!e.isHole()) {
                byte[] data = chunks.read(e.hash());
                System.arraycopy(data, (int) (pos - eStart), buf, boff + (int) (pos - off), (int) (to - pos));
            }
            pos = to;
            i++;
        }
    }

    private void overlayDirty(long off, byte[] buf, int boff, int n) {
        long end = off + n;
        Map.Entry<Long, byte[]> first = dirty.floorEntry(off);
        Long from = first != null && first.getKey() + first.getValue().length > off ? first.getKey() : Long.valueOf(off);
        for (Map.Entry<Long, byte[]> seg : dirty.subMap(from, true, end, false).entrySet()) {
            long s = seg.getKey();
            byte[] d = seg.getValue();
            long a = Math.max(s, off);
            long b = Math.min(s + d.length, end);
            if (a < b) System.arraycopy(d, (int) (a - s), buf, boff + (int) (a - off), (int) (b - a));
        }
    }

    /** Index of the extent containing {@code off}, which must be below {@code covered}. */
    private int indexOf(long off) {
        int i = Arrays.binarySearch(starts, off);
        return i >= 0 ? i : -i - 2;
    }

    // --- writes ------------------------------------------------------------------------------

    void write(long off, byte[] src, int soff, int len) {
        if (len == 0) return;
        long end = off + len;
        // Merge with overlapping buffered segments only; merely adjacent ones stay separate so
        // that a sequential writer never copies what it already buffered.
        Map.Entry<Long, byte[]> before = dirty.lowerEntry(off);
        long mStart = off, mEnd = end;
        List<Map.Entry<Long, byte[]>> overlapping = new ArrayList<>();
        if (before != null && before.getKey() + before.getValue().length > off) overlapping.add(before);
        overlapping.addAll(dirty.subMap(off, true, end, false).entrySet());
        byte[] merged;
        if (overlapping.isEmpty()) {
            merged = Arrays.copyOfRange(src, soff, soff + len);
        } else {
            for (Map.Entry<Long, byte[]> e : overlapping) {
                mStart = Math.min(mStart, e.getKey());
                mEnd = Math.max(mEnd, e.getKey() + e.getValue().length);
            }
            merged = new byte[(int) (mEnd - mStart)];
            for (Map.Entry<Long, byte[]> e : List.copyOf(overlapping)) {
                System.arraycopy(e.getValue(), 0, merged, (int) (e.getKey() - mStart), e.getValue().length);
                dirty.remove(e.getKey());
                dirtyBytes -= e.getValue().length;
            }
            System.arraycopy(src, soff, merged, (int) (off - mStart), len);
        }
        dirty.put(mStart, merged);
        dirtyBytes += merged.length;
        size = Math.max(size, end);
    }

    // --- flush -------------------------------------------------------------------------------

    private record Region(long start, long end) {}

    Plan planFlush() throws IOException {
        if (dirty.isEmpty()) return new Plan(extents, Map.of(), size);
        List<Region> regions = regions();
        Map<Key, byte[]> created = new LinkedHashMap<>();
        List<Extent> out = new ArrayList<>();
        long pos = 0;
        for (int r = 0; r < regions.size(); r++) {
            Region region = regions.get(r);
            long nextStart = r + 1 < regions.size() ? regions.get(r + 1).start() : Long.MAX_VALUE;
            sliceStored(pos, region.start(), out);
            long end = region.end();
            List<Extent> fresh;
            while (true) {
                fresh = chunk(materialize(region.start(), end), created);
                long last = fresh.isEmpty() ? 0 : fresh.getLast().length();
                // A short last piece (cut only because the region ended) would fragment the file
                // over many edits: take in the next stored chunk and cut again.
                int next = end < covered ? indexOf(end) : -1;
                if (last >= cdc.min || next < 0 || starts[next] != end || extents.get(next).isHole()
                        || starts[next] + extents.get(next).length() > nextStart) break;
                end = starts[next] + extents.get(next).length();
            }
            out.addAll(fresh);
            pos = end;
        }
        sliceStored(pos, size, out);
        return new Plan(normalize(out), created, size);
    }

    /**
     * Appends the stored extents of [from, to): holes may be cut, chunks never are (regions are
     * widened to chunk boundaries); space past the stored end is a hole.
     */
    private void sliceStored(long from, long to, List<Extent> out) {
        if (from >= to) return;
        long stop = Math.min(to, covered);
        if (from < stop) {
            int i = indexOf(from);
            long pos = from;
            while (pos < stop) {
                Extent e = extents.get(i);
                long s = starts[i];
                long eEnd = s + e.length();
                long b = Math.min(eEnd, stop);
                if (e.isHole()) {
                    out.add(Extent.hole(b - pos));
                } else {
                    if (pos != s || b != eEnd) throw new IllegalStateException("a chunk would be cut at " + pos);
                    out.add(e);
                }
                pos = b;
                i++;
            }
        }
        if (to > covered) out.add(Extent.hole(to - Math.max(from, covered)));
    }

    /** Dirty ranges widened to whole stored chunks, merged where they meet. */
    private List<Region> regions() {
        List<Region> list = new ArrayList<>();
        for (Map.Entry<Long, byte[]> seg : dirty.entrySet()) {
            long s = seg.getKey();
            long e = s + seg.getValue().length;
            long a = s;
            if (s < covered) {
                int i = indexOf(s);
                if (!extents.get(i).isHole()) a = starts[i];
            } else if (s == covered && !extents.isEmpty() && !extents.getLast().isHole()) {
                a = starts[extents.size() - 1]; // the last chunk was cut by the old end of file
            }
            long b = e;
            if (e < covered) {
                int j = indexOf(e);
                if (starts[j] != e && !extents.get(j).isHole()) b = starts[j] + extents.get(j).length();
            }
            if (!list.isEmpty() && list.getLast().end() >= a) {
                Region prev = list.removeLast();
                list.add(new Region(Math.min(prev.start(), a), Math.max(prev.end(), b)));
            } else {
                list.add(new Region(a, b));
            }
        }
        return list;
    }

    private byte[] materialize(long start, long end) throws IOException {
        byte[] bytes = new byte[Math.toIntExact(end - start)];
        readStored(start, bytes, 0, bytes.length);
        overlayDirty(start, bytes, 0, bytes.length);
        return bytes;
    }

    /** Regions at least this large are hashed on all cores; cutting stays sequential. */
    private static final int PARALLEL_HASH_BYTES = 1 << 20;

    private List<Extent> chunk(byte[] bytes, Map<Key, byte[]> created) {
        List<int[]> cuts = new ArrayList<>();
        int pos = 0;
        while (pos < bytes.length) {
            int n = cdc.cut(bytes, pos, bytes.length);
            cuts.add(new int[]{pos, n});
            pos += n;
        }
        byte[][] hashes = new byte[cuts.size()][];
        java.util.stream.IntStream range = java.util.stream.IntStream.range(0, cuts.size());
        (bytes.length >= PARALLEL_HASH_BYTES ? range.parallel() : range)
                .forEach(i -> hashes[i] = Hashes.sha256(bytes, cuts.get(i)[0], cuts.get(i)[1]));
        List<Extent> list = new ArrayList<>(cuts.size());
        for (int i = 0; i < cuts.size(); i++) {
            int[] c = cuts.get(i);
            created.putIfAbsent(new Key(hashes[i]), Arrays.copyOfRange(bytes, c[0], c[0] + c[1]));
            list.add(new Extent(c[1], hashes[i]));
        }
        return list;
    }

    private static List<Extent> normalize(List<Extent> list) {
        List<Extent> out = new ArrayList<>(list.size());
        for (Extent e : list) {
            if (e.length() == 0) continue;
            if (e.isHole() && !out.isEmpty() && out.getLast().isHole()) {
                out.add(Extent.hole(out.removeLast().length() + e.length()));
            } else {
                out.add(e);
            }
        }
        return out;
    }

    /** Plans cutting or extending the file to {@code newSize}; buffered writes must be flushed first. */
    Plan planTruncate(long newSize) throws IOException {
        if (!dirty.isEmpty()) throw new IllegalStateException("flush before truncate");
        Map<Key, byte[]> created = new LinkedHashMap<>();
        List<Extent> out = new ArrayList<>();
        if (newSize >= covered) {
            out.addAll(extents);
            if (newSize > covered) out.add(Extent.hole(newSize - covered));
        } else if (newSize > 0) {
            int i = indexOf(newSize);
            out.addAll(extents.subList(0, i));
            Extent cut = extents.get(i);
            long keep = newSize - starts[i];
            if (keep > 0) {
                if (cut.isHole()) {
                    out.add(Extent.hole(keep));
                } else {
                    byte[] data = chunks.read(cut.hash());
                    out.addAll(chunk(Arrays.copyOf(data, (int) keep), created));
                }
            }
        }
        return new Plan(normalize(out), created, newSize);
    }

    /** Installs a committed plan. */
    void apply(Plan plan) {
        install(plan.extents());
        dirty.clear();
        dirtyBytes = 0;
        size = plan.size();
        if (covered != size) throw new IllegalStateException("extents cover " + covered + " of " + size + " bytes");
    }

    /** Replaces everything (rollback, restore): buffered writes are dropped. */
    void reset(List<Extent> list) {
        install(list);
        dirty.clear();
        dirtyBytes = 0;
        size = covered;
    }

    NavigableMap<Long, byte[]> dirtyView() {
        return java.util.Collections.unmodifiableNavigableMap(dirty);
    }
}
