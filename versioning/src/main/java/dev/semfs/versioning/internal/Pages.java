package dev.semfs.versioning.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A file's content is an extent list, stored as content-addressed pages of extents, so that a
 * version of a large file costs the pages its edit touched, not a copy of the whole list. Page
 * boundaries are content-defined (after an extent whose hash has its low 6 bits zero, about 64
 * extents a page, at most {@link #MAX_EXTENTS}), so inserting an extent changes one page, not
 * every page after it.
 *
 * <p>Page layout, format {@link #FORMAT}: byte format, varint extent count, then per extent a
 * kind byte (0 chunk, 1 hole), varlong length, and for a chunk its 32-byte SHA-256.
 * <p>Root layout (inside inode and version records): varint page count, then per page its
 * 32-byte hash, varlong byte length, varint extent count.
 */
final class Pages {
    static final int FORMAT = 1;
    static final int MAX_EXTENTS = 256;
    private static final int CUT_MASK = 63;

    record Page(List<Extent> extents, byte[] body, byte[] hash, long bytes) {
        PageRef ref() {
            return new PageRef(hash, bytes, extents.size());
        }
    }

    private Pages() {}

    static List<Page> paginate(List<Extent> extents) {
        List<Page> pages = new ArrayList<>();
        List<Extent> current = new ArrayList<>();
        for (Extent e : extents) {
            current.add(e);
            boolean cut = !e.isHole() && ((e.hash()[31] & CUT_MASK) == 0);
            if (cut || current.size() >= MAX_EXTENTS) {
                pages.add(page(current));
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) pages.add(page(current));
        return pages;
    }

    /** A new root, and the pages of it that are new (the rest are reused from the old root). */
    record Paged(List<PageRef> root, List<Page> fresh) {}

    /**
     * Paginates {@code newExtents}, reusing the old root's pages up to the first extent that
     * changed: boundaries depend only on extents from a page's start, so an unchanged prefix
     * cuts the same. An append to a large file costs its last pages, not all of them.
     */
    static Paged repaginate(List<PageRef> oldRoot, List<Extent> oldExtents, List<Extent> newExtents) {
        int same = 0;
        int n = Math.min(oldExtents.size(), newExtents.size());
        while (same < n && sameExtent(oldExtents.get(same), newExtents.get(same))) same++;
        List<PageRef> root = new ArrayList<>();
        int covered = 0;
        for (PageRef p : oldRoot) {
            if (covered + p.extents() > same || covered + p.extents() > newExtents.size()) break;
            // The last old page may have ended only because the old list ended: cut it again.
            if (covered + p.extents() == oldExtents.size() && oldExtents.size() != newExtents.size()) break;
            root.add(p);
            covered += p.extents();
        }
        List<Page> fresh = paginate(newExtents.subList(covered, newExtents.size()));
        for (Page p : fresh) root.add(p.ref());
        return new Paged(root, fresh);
    }

    private static boolean sameExtent(Extent a, Extent b) {
        return a.length() == b.length() && java.util.Arrays.equals(a.hash(), b.hash());
    }

    static Page page(List<Extent> extents) {
        Codec.Out out = new Codec.Out().byte1(FORMAT).varlong(extents.size());
        long bytes = 0;
        for (Extent e : extents) {
            out.byte1(e.isHole() ? 1 : 0).varlong(e.length());
            if (!e.isHole()) out.raw(e.hash());
            bytes += e.length();
        }
        byte[] body = out.toBytes();
        return new Page(List.copyOf(extents), body, Hashes.sha256(body, 0, body.length), bytes);
    }

    static List<Extent> decodePage(byte[] body) {
        Codec.In in = new Codec.In(body);
        int format = in.byte1();
        if (format != FORMAT) throw new IllegalStateException("unknown page format " + format);
        int n = in.varint();
        List<Extent> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int kind = in.byte1();
            long len = in.varlong();
            list.add(kind == 1 ? Extent.hole(len) : new Extent(len, in.raw(Hashes.LENGTH)));
        }
        return list;
    }

    static void encodeRoot(Codec.Out out, List<PageRef> root) {
        out.varlong(root.size());
        for (PageRef p : root) out.raw(p.hash()).varlong(p.bytes()).varlong(p.extents());
    }

    static List<PageRef> decodeRoot(Codec.In in) {
        int n = in.varint();
        List<PageRef> root = new ArrayList<>(n);
        for (int i = 0; i < n; i++) root.add(new PageRef(in.raw(Hashes.LENGTH), in.varlong(), in.varint()));
        return root;
    }
}
