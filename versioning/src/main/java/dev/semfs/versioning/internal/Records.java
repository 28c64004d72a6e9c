package dev.semfs.versioning.internal;

import dev.semfs.versioning.ChangeRecord;
import dev.semfs.versioning.FileType;
import dev.semfs.versioning.Inode;
import dev.semfs.versioning.SnapshotEntry;
import dev.semfs.versioning.SnapshotRecord;
import dev.semfs.versioning.VersionKind;
import dev.semfs.versioning.VersionRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodings of the store's records. Every record starts with a format byte ({@link #FORMAT});
 * fields follow in the order of the encode methods below, varints for numbers, length-prefixed
 * UTF-8 for strings (0 = null), zig-zag varints for times.
 */
final class Records {
    static final int FORMAT = 1;

    private Records() {}

    /** The mutable, persisted state of a node. Guarded by the store's commit lock when written. */
    static final class InodeRec {
        long ino;
        FileType type;
        int mode, uid, gid;
        long nlink, size, atime, mtime, ctime, birth, latestVersion;
        boolean changed, deleted;
        long parent;
        String symlinkTarget;
        List<PageRef> root = List.of();

        Inode toInode() {
            return new Inode(ino, type, mode, uid, gid, nlink, size, atime, mtime, ctime, birth,
                    latestVersion, changed, symlinkTarget);
        }

        InodeRec copy() {
            InodeRec r = new InodeRec();
            r.ino = ino; r.type = type; r.mode = mode; r.uid = uid; r.gid = gid; r.nlink = nlink;
            r.size = size; r.atime = atime; r.mtime = mtime; r.ctime = ctime; r.birth = birth;
            r.latestVersion = latestVersion; r.changed = changed; r.deleted = deleted; r.parent = parent;
            r.symlinkTarget = symlinkTarget; r.root = root;
            return r;
        }

        byte[] encode() {
            Codec.Out o = new Codec.Out().byte1(FORMAT).varlong(ino).byte1(type.ordinal())
                    .varlong(mode).varlong(uid & 0xffffffffL).varlong(gid & 0xffffffffL).varlong(nlink)
                    .varlong(size).svarlong(atime).svarlong(mtime).svarlong(ctime).svarlong(birth)
                    .varlong(latestVersion).bool(changed).bool(deleted).varlong(parent).string(symlinkTarget);
            Pages.encodeRoot(o, root);
            return o.toBytes();
        }

        static InodeRec decode(byte[] b) {
            Codec.In in = new Codec.In(b);
            checkFormat(in.byte1(), "inode");
            InodeRec r = new InodeRec();
            r.ino = in.varlong();
            r.type = FileType.values()[in.byte1()];
            r.mode = in.varint();
            r.uid = (int) in.varlong();
            r.gid = (int) in.varlong();
            r.nlink = in.varlong();
            r.size = in.varlong();
            r.atime = in.svarlong();
            r.mtime = in.svarlong();
            r.ctime = in.svarlong();
            r.birth = in.svarlong();
            r.latestVersion = in.varlong();
            r.changed = in.bool();
            r.deleted = in.bool();
            r.parent = in.varlong();
            r.symlinkTarget = in.string();
            r.root = Pages.decodeRoot(in);
            return r;
        }
    }

    /** A version and the root of its content. */
    record VersionRec(VersionRecord info, List<PageRef> root) {
        byte[] encode() {
            VersionRecord v = info;
            Codec.Out o = new Codec.Out().byte1(FORMAT).varlong(v.ino()).varlong(v.number()).svarlong(v.time())
                    .byte1(v.type().ordinal()).varlong(v.size()).varlong(v.mode()).byte1(v.kind().ordinal())
                    .string(v.agent()).string(v.reason()).string(v.path()).string(v.symlinkTarget());
            Pages.encodeRoot(o, root);
            return o.toBytes();
        }

        static VersionRec decode(byte[] b) {
            Codec.In in = new Codec.In(b);
            checkFormat(in.byte1(), "version");
            VersionRecord v = new VersionRecord(in.varlong(), in.varlong(), in.svarlong(),
                    FileType.values()[in.byte1()], in.varlong(), in.varint(), VersionKind.values()[in.byte1()],
                    in.string(), in.string(), in.string(), in.string());
            return new VersionRec(v, Pages.decodeRoot(in));
        }
    }

    static byte[] encodeChange(ChangeRecord c) {
        return new Codec.Out().byte1(FORMAT).varlong(c.seq()).svarlong(c.time()).string(c.op()).varlong(c.ino())
                .byte1(c.type() == null ? 255 : c.type().ordinal()).string(c.path()).string(c.toPath())
                .varlong(c.version()).string(c.agent()).string(c.via()).string(c.reason()).toBytes();
    }

    static ChangeRecord decodeChange(byte[] b) {
        Codec.In in = new Codec.In(b);
        checkFormat(in.byte1(), "change");
        long seq = in.varlong();
        long time = in.svarlong();
        String op = in.string();
        long ino = in.varlong();
        int t = in.byte1();
        return new ChangeRecord(seq, time, op, ino, t == 255 ? null : FileType.values()[t], in.string(),
                in.string(), in.varlong(), in.string(), in.string(), in.string());
    }

    static byte[] encodeSnapshot(SnapshotRecord s) {
        return new Codec.Out().byte1(FORMAT).varlong(s.id()).string(s.name()).svarlong(s.time())
                .varlong(s.entries()).string(s.agent()).toBytes();
    }

    static SnapshotRecord decodeSnapshot(byte[] b) {
        Codec.In in = new Codec.In(b);
        checkFormat(in.byte1(), "snapshot");
        return new SnapshotRecord(in.varlong(), in.string(), in.svarlong(), in.varlong(), in.string());
    }

    static byte[] encodeSnapshotEntry(SnapshotEntry e) {
        return new Codec.Out().byte1(FORMAT).string(e.path()).varlong(e.ino()).varlong(e.version())
                .byte1(e.type().ordinal()).varlong(e.size()).varlong(e.mode()).varlong(e.uid() & 0xffffffffL)
                .varlong(e.gid() & 0xffffffffL).svarlong(e.mtime()).string(e.symlinkTarget()).toBytes();
    }

    static SnapshotEntry decodeSnapshotEntry(byte[] b) {
        Codec.In in = new Codec.In(b);
        checkFormat(in.byte1(), "snapshot entry");
        return new SnapshotEntry(in.string(), in.varlong(), in.varlong(), FileType.values()[in.byte1()],
                in.varlong(), in.varint(), (int) in.varlong(), (int) in.varlong(), in.svarlong(), in.string());
    }

    static List<byte[]> chunkHashes(List<Extent> extents) {
        List<byte[]> out = new ArrayList<>();
        for (Extent e : extents) if (!e.isHole()) out.add(e.hash());
        return out;
    }

    private static void checkFormat(int format, String what) {
        if (format != FORMAT) throw new IllegalStateException("unknown " + what + " record format " + format
                + " (this build reads format " + FORMAT + ")");
    }
}
