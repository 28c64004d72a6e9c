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
 * <p>Not thread-safe: the store guards each instance with its node's lock. Planning changes
 * nothing a reader looks at, so reads may run beside a {@link #planFlush} (and nothing else)
 * when the store keeps them apart from everything else.
 */
final class FileContent {
    interface ChunkReader {
        /** The whole body of a chunk. */
        byte[] read(byte[] hash) throws IOException;

        /** Where a chunk's body is, as an opaque non-zero number for {@link #readAt}. */
        long locate(byte[] hash) throws IOException;

        /** {@link #locate} of many chunks in one lookup: {@code out[i]} for {@code hashes.get(i)}. */
        void locateAll(List<byte[]> hashes, long[] out) throws IOException;

        /**
         * Copies {@code len} bytes at {@code pos} of the body at {@code loc} straight into
         * {@code buf}; false when the body has moved since it was located (look it up again).
         */
        boolean readAt(long loc, int pos, byte[] buf, int off, int len) throws IOException;

        /**
         * Whether the body at {@code next} directly follows the body at {@code loc} (of
         * {@code length} bytes) in the same pack, so both can be read with one call.
         */
        boolean adjacent(long loc, int length, long next);

        /**
         * Reads {@code pieces[0..n)} bytes of adjacent bodies (see {@link #adjacent}), the first
         * from {@code pos} of the body at {@code loc}, one after another into {@code buf}; false
         * when they have moved since they were located.
         */
        boolean readRun(long loc, int pos, int[] pieces, int n, byte[] buf, int off) throws IOException;

        /** The most bytes {@link #readRun} reads at once. */
        int maxRun();
    }

    /**
     * New extents of the whole file and the bodies of chunks this flush created. Buffered and
     * staged writes below {@code upTo} are in it; those at or above stay pending (a flush of
     * staged content runs in bounded slices). When the cut point falls inside a stored chunk,
     * the rest of that chunk, [upTo, restagedTo), is staged again by the plan (its bytes are in
     * the staging file already; {@link #apply} adds the range), so the next slice starts there.
     */
    record Plan(List<Extent> extents, Map<Key, Body> newChunks, long size, long upTo, byte[] window, long restagedTo) {
        Plan(List<Extent> extents, Map<Key, Body> newChunks, long size) {
            this(extents, newChunks, size, Long.MAX_VALUE, null, 0);
        }

        /** Gives back the slice buffer the new chunks' bodies are in, once they are stored. */
        void release() {
            if (window != null) giveScratch(window);
        }

        boolean complete() {
            return upTo == Long.MAX_VALUE;
        }
    }

    /** A chunk body: {@code len} bytes at {@code off} of {@code array} (a view, not a copy, of what was cut). */
    record Body(byte[] array, int off, int len) {
        static Body of(byte[] a) {
            return new Body(a, 0, a.length);
        }
    }

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
    /** Cached locations of the extents' chunk bodies (0: not looked up yet). */
    private long[] locs;
    private long covered;
    private long size;
    private final TreeMap<Long, byte[]> dirty = new TreeMap<>();
    private long dirtyBytes;
    /** Writes past the in-memory limit: byte ranges (start to end, disjoint, not touching) held in {@link #staging}. */
    private final TreeMap<Long, Long> staged = new TreeMap<>();
    private StagingFile staging;

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
        return !dirty.isEmpty() || !staged.isEmpty() || size != covered;
    }

    StagingFile staging() {
        return staging;
    }

    boolean hasStaged() {
        return !staged.isEmpty();
    }

    /** The staged ranges, as start, end pairs. */
    long[] stagedRanges() {
        return pairs(staged);
    }

    private static long[] pairs(TreeMap<Long, Long> ranges) {
        long[] out = new long[ranges.size() * 2];
        int i = 0;
        for (Map.Entry<Long, Long> r : ranges.entrySet()) {
            out[i++] = r.getKey();
            out[i++] = r.getValue();
        }
        return out;
    }

    /**
     * Moves every buffered write into {@code file}, which from now on takes every write. On a
     * failure (a full disk) nothing changes and the file is the caller's to delete.
     */
    void spill(StagingFile file) throws IOException {
        if (staging != null) throw new IllegalStateException("already staging");
        for (Map.Entry<Long, byte[]> seg : dirty.entrySet()) file.write(seg.getKey(), seg.getValue(), 0, seg.getValue().length);
        file.drain(); // a write that failed behind fails the spill, which keeps the buffered writes
        staging = file;
        for (Map.Entry<Long, byte[]> seg : dirty.entrySet()) addStaged(seg.getKey(), seg.getKey() + seg.getValue().length);
        dirty.clear();
        dirtyBytes = 0;
    }

    /** Installs staged content found after a restart: {@code ranges} are start, end pairs; {@code size} the file's size. */
    void restoreStaged(StagingFile file, long[] ranges, long size) {
        if (!dirty.isEmpty() || staging != null) throw new IllegalStateException("content already changed");
        staging = file;
        for (int i = 0; i < ranges.length; i += 2) addStaged(ranges[i], ranges[i + 1]);
        this.size = size;
    }

    /** Drops the staging file once nothing is staged in it any more; returns it (to delete), or null. */
    StagingFile detachEmptyStaging() {
        if (staging == null || !staged.isEmpty()) return null;
        StagingFile f = staging;
        staging = null;
        return f;
    }

    private void addStaged(long a, long b) {
        addRange(staged, a, b);
    }

    /** Adds [a, b) to disjoint, non-touching ranges (start to end), merging what it meets. */
    private static void addRange(TreeMap<Long, Long> ranges, long a, long b) {
        Map.Entry<Long, Long> before = ranges.floorEntry(a);
        if (before != null && before.getValue() >= a) {
            a = before.getKey();
            b = Math.max(b, before.getValue());
            ranges.remove(before.getKey());
        }
        while (true) {
            Map.Entry<Long, Long> next = ranges.ceilingEntry(a);
            if (next == null || next.getKey() > b) break;
            b = Math.max(b, next.getValue());
            ranges.remove(next.getKey());
        }
        ranges.put(a, b);
    }

    long dirtyBytes() {
        return dirtyBytes;
    }

    List<Extent> extents() {
        return extents;
    }

    private void install(List<Extent> list) {
        List<Extent> old = this.extents;
        long[] oldLocs = this.locs;
        this.extents = List.copyOf(list);
        this.starts = new long[extents.size()];
        this.locs = new long[extents.size()];
        if (old != null) {
            // An edit changes a few extents in the middle: keep the known locations around it.
            int n = extents.size(), m = old.size(), max = Math.min(n, m);
            int p = 0;
            for (; p < max && sameChunk(old.get(p), extents.get(p)); p++) locs[p] = oldLocs[p];
            for (int q = 0; q < max - p && sameChunk(old.get(m - 1 - q), extents.get(n - 1 - q)); q++) {
                locs[n - 1 - q] = oldLocs[m - 1 - q];
            }
        }
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
        readStored(off, buf, boff, n);
        overlayDirty(off, buf, boff, n);
        return n;
    }

    /**
     * Copies stored content of [off, off+n) into buf, pack bytes straight into the caller's
     * buffer; holes and space past the stored end read as zeros.
     */
    private void readStored(long off, byte[] buf, int boff, int n) throws IOException {
        long end = Math.min(off + n, covered);
        if (end < off + n) Arrays.fill(buf, boff + (int) (Math.max(end, off) - off), boff + n, (byte) 0);
        if (off >= end) return;
        int i = indexOf(off);
        long pos = off;
        while (pos < end) {
            Extent e = extents.get(i);
            long eStart = starts[i];
            long eEnd = eStart + e.length();
            long to = Math.min(eEnd, end);
            int at = boff + (int) (pos - off);
            int len = (int) (to - pos);
            if (!e.isHole() && locs[i] == 0) prefetchLocations(i, end);
            if (!e.isHole() && to < end) {
                // Chunks written together lie one after another in a pack: one read for the run.
                long[] first = new long[1];
                int run = runLength(i, end, first);
                if (run > 1) {
                    int[] pieces = new int[run];
                    long p = pos;
                    for (int k = 0; k < run; k++) {
                        long s = starts[i + k];
                        long t = Math.min(s + extents.get(i + k).length(), end);
                        pieces[k] = (int) (t - p);
                        p = t;
                    }
                    if (chunks.readRun(first[0], (int) (pos - eStart), pieces, run, buf, at)) {
                        pos = p;
                        i += run;
                        continue;
                    }
                    for (int k = 0; k < run; k++) locs[i + k] = 0; // moved: look them up again below
                }
            }
            if (e.isHole()) {
                Arrays.fill(buf, at, at + len, (byte) 0);
            } else {
                long loc = locs[i]; // read once: reads beside a slice share the cache
                if (loc == 0) locs[i] = loc = chunks.locate(e.hash());
                if (!chunks.readAt(loc, (int) (pos - eStart), buf, at, len)) {
                    locs[i] = loc = chunks.locate(e.hash()); // moved by pack compaction
                    if (!chunks.readAt(loc, (int) (pos - eStart), buf, at, len)) {
                        byte[] data = chunks.read(e.hash());
                        System.arraycopy(data, (int) (pos - eStart), buf, at, len);
                    }
                }
            }
            pos = to;
            i++;
        }
    }

    private static boolean sameChunk(Extent a, Extent b) {
        return a.hash() != null && b.hash() != null && (a.hash() == b.hash() || Arrays.equals(a.hash(), b.hash()));
    }

    /** Chunk locations looked up at once, ahead of a read: a sequential reader makes one lookup per this many chunks. */
    private static final int LOCATE_AHEAD = 256;

    /** Looks up the unknown locations of the chunks from extent {@code i} on, at least up to {@code end}. */
    private void prefetchLocations(int i, long end) throws IOException {
        List<byte[]> hashes = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int k = i; k < extents.size() && (k - i < LOCATE_AHEAD || starts[k] < end); k++) {
            Extent e = extents.get(k);
            if (e.isHole() || locs[k] != 0) continue;
            hashes.add(e.hash());
            at.add(k);
        }
        long[] found = new long[hashes.size()];
        chunks.locateAll(hashes, found);
        for (int k = 0; k < found.length; k++) locs[at.get(k)] = found[k];
    }

    /**
     * How many chunks from extent {@code i} on, ending before {@code end}, lie one after another
     * in a pack (locating them), with where the first is in {@code first[0]}: each location is
     * read once from the cache, since reads beside a slice share it and one of them may move an
     * entry (a chunk moved by pack compaction) between the check of a run and its read.
     */
    private int runLength(int i, long end, long[] first) throws IOException {
        long prev = locs[i];
        if (prev == 0) locs[i] = prev = chunks.locate(extents.get(i).hash());
        first[0] = prev;
        int n = 1;
        long span = extents.get(i).length();
        while (i + n < extents.size() && starts[i + n] < end) {
            Extent next = extents.get(i + n);
            if (next.isHole()) break;
            span += next.length() + 64;
            if (span > chunks.maxRun()) break;
            long loc = locs[i + n];
            if (loc == 0) locs[i + n] = loc = chunks.locate(next.hash());
            if (!chunks.adjacent(prev, (int) extents.get(i + n - 1).length(), loc)) break;
            prev = loc;
            n++;
        }
        return n;
    }

    private void overlayDirty(long off, byte[] buf, int boff, int n) throws IOException {
        long end = off + n;
        if (!staged.isEmpty()) {
            Map.Entry<Long, Long> first = staged.floorEntry(off);
            long from = first != null && first.getValue() > off ? first.getKey() : off;
            for (Map.Entry<Long, Long> r : staged.subMap(from, true, end, false).entrySet()) {
                long a = Math.max(r.getKey(), off);
                long b = Math.min(r.getValue(), end);
                if (a < b) staging.read(a, buf, boff + (int) (a - off), (int) (b - a));
            }
        }
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

    void write(long off, byte[] src, int soff, int len) throws IOException {
        if (len == 0) return;
        long end = off + len;
        if (staging != null) {
            staging.write(off, src, soff, len);
            addStaged(off, end);
            size = Math.max(size, end);
            return;
        }
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
        return planFlush(Long.MAX_VALUE);
    }

    /**
     * Plans storing the buffered and staged writes. With a {@code budget}, staged content is
     * cut only until about that many bytes are chunked, ending at a content-defined cut point,
     * so the rest later cuts exactly as one pass would have.
     */
    Plan planFlush(long budget) throws IOException {
        if (dirty.isEmpty() && staged.isEmpty()) return new Plan(extents, Map.of(), size);
        if (!dirty.isEmpty() && !staged.isEmpty()) throw new IllegalStateException("buffered writes beside staged ones");
        if (staged.isEmpty()) budget = Long.MAX_VALUE; // buffered writes go in one flush, as always
        List<Region> regions = regions();
        Map<Key, Body> created = new LinkedHashMap<>();
        List<Extent> out = new ArrayList<>();
        byte[] window = null;
        long pos = 0;
        long done = 0;
        long upTo = Long.MAX_VALUE;
        long restagedTo = 0;
        for (int r = 0; r < regions.size(); r++) {
            Region region = regions.get(r);
            if (done >= budget) {
                upTo = region.start();
                break;
            }
            long nextStart = r + 1 < regions.size() ? regions.get(r + 1).start() : Long.MAX_VALUE;
            sliceStored(pos, region.start(), out);
            long left = budget - done;
            if (region.end() - region.start() - cdc.max > left) {
                // Too large for this slice: cut up to a natural cut point past the budget.
                long windowEnd = region.start() + left + cdc.max;
                int windowLen = Math.toIntExact(windowEnd - region.start());
                byte[] bytes = takeScratch(windowLen);
                readStored(region.start(), bytes, 0, windowLen);
                overlayDirty(region.start(), bytes, 0, windowLen);
                List<Extent> fresh = chunk(bytes, windowLen, created, (int) left);
                window = bytes; // the new bodies are views into it until the plan is stored
                long cutAt = region.start();
                for (Extent e : fresh) cutAt += e.length();
                out.addAll(fresh);
                done += cutAt - region.start();
                upTo = cutAt;
                pos = cutAt;
                if (cutAt < covered) {
                    int i = indexOf(cutAt);
                    long chunkEnd = starts[i] + extents.get(i).length();
                    if (starts[i] != cutAt && !extents.get(i).isHole()) {
                        // The stored chunk under the cut point cannot be split: stage the rest of
                        // it too (the same bytes), so that the next slice starts right here.
                        byte[] tail = materialize(cutAt, chunkEnd);
                        staging.write(cutAt, tail, 0, tail.length); // drained before the slice's batch
                        restagedTo = chunkEnd;
                        out.add(Extent.hole(chunkEnd - cutAt));
                        pos = chunkEnd;
                    }
                }
                break;
            }
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
            done += end - region.start();
            pos = end;
        }
        // After a partial plan the rest stays as it is stored (or a hole past the stored end),
        // staged bytes on top.
        sliceStored(pos, size, out);
        return new Plan(normalize(out), created, size, upTo, window, restagedTo);
    }

    /** The staged ranges (start, end pairs) that stay pending once {@code plan} is applied. */
    long[] stagedRangesAfter(Plan plan) {
        if (plan.complete()) return new long[0];
        TreeMap<Long, Long> after = new TreeMap<>();
        for (Map.Entry<Long, Long> r : staged.entrySet()) {
            long a = Math.max(r.getKey(), plan.upTo());
            if (a < r.getValue()) after.put(a, r.getValue());
        }
        if (plan.restagedTo() > plan.upTo()) addRange(after, plan.upTo(), plan.restagedTo());
        return pairs(after);
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
        List<long[]> pending = new ArrayList<>(dirty.size() + staged.size());
        for (Map.Entry<Long, byte[]> seg : dirty.entrySet()) pending.add(new long[]{seg.getKey(), seg.getKey() + seg.getValue().length});
        for (Map.Entry<Long, Long> r : staged.entrySet()) pending.add(new long[]{r.getKey(), r.getValue()});
        for (long[] seg : pending) {
            long s = seg[0];
            long e = seg[1];
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

    private List<Extent> chunk(byte[] bytes, Map<Key, Body> created) {
        return chunk(bytes, bytes.length, created, bytes.length);
    }

    /** Slice buffers, reused: a slice's window is megabytes, too large to allocate afresh each time. */
    private static final java.util.concurrent.ConcurrentLinkedQueue<byte[]> SCRATCH = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** The largest window asked for: background and foreground slices differ, one size serves both. */
    private static volatile int largestScratch;

    private static byte[] takeScratch(int n) {
        if (n > largestScratch) largestScratch = n;
        for (byte[] b; (b = SCRATCH.poll()) != null; ) {
            if (b.length >= n) return b;
        }
        return new byte[Math.max(n, largestScratch)];
    }

    private static void giveScratch(byte[] b) {
        if (SCRATCH.size() < 2) SCRATCH.offer(b);
    }

    /** Cuts chunks from the start of {@code bytes[0, len)} until at least {@code limit} bytes are cut. */
    private List<Extent> chunk(byte[] bytes, int len, Map<Key, Body> created, int limit) {
        List<int[]> cuts = new ArrayList<>();
        int pos = 0;
        while (pos < limit && pos < len) {
            int n = cdc.cut(bytes, pos, len);
            cuts.add(new int[]{pos, n});
            pos += n;
        }
        byte[][] hashes = new byte[cuts.size()][];
        java.util.stream.IntStream range = java.util.stream.IntStream.range(0, cuts.size());
        (len >= PARALLEL_HASH_BYTES ? range.parallel() : range)
                .forEach(i -> hashes[i] = Hashes.sha256(bytes, cuts.get(i)[0], cuts.get(i)[1]));
        List<Extent> list = new ArrayList<>(cuts.size());
        for (int i = 0; i < cuts.size(); i++) {
            int[] c = cuts.get(i);
            created.putIfAbsent(new Key(hashes[i]), new Body(bytes, c[0], c[1]));
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
        if (!staged.isEmpty()) throw new IllegalStateException("flush staged writes before truncate");
        Map<Key, Body> created = new LinkedHashMap<>();
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
        if (plan.complete()) {
            dirty.clear();
            dirtyBytes = 0;
            staged.clear();
        } else {
            if (!dirty.isEmpty()) throw new IllegalStateException("a partial plan of buffered writes");
            while (!staged.isEmpty() && staged.firstKey() < plan.upTo()) {
                Map.Entry<Long, Long> r = staged.pollFirstEntry();
                if (r.getValue() > plan.upTo()) staged.put(plan.upTo(), r.getValue());
            }
            if (plan.restagedTo() > plan.upTo()) addStaged(plan.upTo(), plan.restagedTo());
        }
        size = plan.size();
        if (covered != size) throw new IllegalStateException("extents cover " + covered + " of " + size + " bytes");
    }

    /** Replaces everything (rollback, restore): buffered writes are dropped. */
    void reset(List<Extent> list) {
        if (!staged.isEmpty()) throw new IllegalStateException("flush staged writes before a reset");
        install(list);
        dirty.clear();
        dirtyBytes = 0;
        size = covered;
    }

    NavigableMap<Long, byte[]> dirtyView() {
        return java.util.Collections.unmodifiableNavigableMap(dirty);
    }
}
