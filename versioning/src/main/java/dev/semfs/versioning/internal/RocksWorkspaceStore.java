package dev.semfs.versioning.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import dev.semfs.versioning.ChangeRecord;
import dev.semfs.versioning.Change;
import dev.semfs.versioning.CheckReport;
import dev.semfs.versioning.DirEntry;
import dev.semfs.versioning.FileType;
import dev.semfs.versioning.GcReport;
import dev.semfs.versioning.Inode;
import dev.semfs.versioning.PathVersion;
import dev.semfs.versioning.RetentionPolicy;
import dev.semfs.versioning.SnapshotEntry;
import dev.semfs.versioning.SnapshotRecord;
import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.StoreStats;
import dev.semfs.versioning.VersionKind;
import dev.semfs.versioning.VersionRecord;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB store. Layout, format {@link #FORMAT} (all integers in keys big-endian):
 * <pre>
 * column family  key                              value
 * default        "format"                         format number (1 byte)
 *                "orphan/" ino                    (empty) node unlinked while open
 *                "staged/" ino                    a node's staged writes not yet chunked: the version
 *                                                 they are (0: none, live content synced by fsync),
 *                                                 staging file name, staged ranges
 * inodes         ino                              {@link Records.InodeRec}
 * dirents        parent ino, name (UTF-8)         child ino, type ordinal (1 byte)
 * chunkloc       SHA-256                          where the chunk's bytes are in the packs ({@link PackStore})
 * pages          SHA-256                          {@link Pages} page
 * refs           kind ('c' chunk, 'p' page), hash reference count (varlong)
 * zero           kind, hash                       (empty) count reached 0: garbage to sweep
 * versions       ino, number                      {@link Records.VersionRec}
 * pathversions   path (UTF-8), 0x00, number       ino, node version, time (8 bytes each), kind (1 byte)
 * snapshots      id                               snapshot record
 * snapentries    id, path (UTF-8)                 snapshot entry
 * pins           ino, version                     count of snapshots referring to it
 * xattrs         ino, name (UTF-8)                value
 * changes        seq                              change record
 * settings       key (UTF-8)                      value
 * </pre>
 * Reference counts are hierarchical, as in git: a page counts the roots (live nodes and
 * versions) that list it, a chunk counts the stored pages that list it. Garbage collection
 * deletes pages before the chunks they release.
 *
 * <p>Locking: each node has a lock guarding its buffered content; one commit lock serialises
 * every batch (reference counts are read-modify-write). Order: node locks (by inode number),
 * then the commit lock.
 */
public final class RocksWorkspaceStore implements WorkspaceStore {
    /**
     * 2: adds the "staged/" records of closed versions not yet chunked, which a format-1 build
     * would not see (it would read those versions wrong), so it must refuse such a store.
     * 3: a "staged/" record may name no version (an fsync of staged writes); a format-2 build
     * would take it for a version being chunked, never delete it, and after the staging file is
     * gone read its ranges as zeros, so it must refuse such a store. Format 2 has only versioned
     * records, which format 3 reads the same: its upgrade is the number alone.
     */
    static final int FORMAT = 3;
    /** Older formats this build opens, upgrading the number on open (formats 1 and 2 have nothing to convert). */
    static final int OLDEST_UPGRADABLE = 1;

    static {
        RocksDB.loadLibrary(); // before any native option object is built
    }

    private static final byte[] FORMAT_KEY = "format".getBytes(StandardCharsets.UTF_8);
    private static final String ORPHAN = "orphan/";
    private static final byte KIND_CHUNK = 'c';
    private static final byte KIND_PAGE = 'p';
    private static final int MAX_NAME_BYTES = 255;

    private final Path dir;
    private final StoreOptions options;
    private final FastCdc cdc;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ColumnFamilyHandle cfMeta, cfInodes, cfDirents, cfChunkLoc, cfPages, cfRefs, cfZero, cfVersions,
            cfPathVersions, cfSnapshots, cfSnapEntries, cfPins, cfXattrs, cfChanges, cfSettings;
    private final WriteOptions asyncWrite = new WriteOptions();
    private final WriteOptions syncWrite = new WriteOptions().setSync(true);
    private final ReentrantLock commitLock = new ReentrantLock();
    private final AtomicLong nextIno = new AtomicLong();
    private final AtomicLong nextSeq = new AtomicLong();
    private final AtomicLong nextSnapshot = new AtomicLong();
    private final ConcurrentHashMap<Long, Node> nodes = new ConcurrentHashMap<>();
    private final ChunkCache cache = new ChunkCache(64L << 20);
    private final PackStore packs;
    private volatile boolean closed;
    private final Path stagingDir;
    /** Staging files named by a committed record: forced before the write-ahead log is synced. */
    private final Set<StagingFile> sealedStaging = ConcurrentHashMap.newKeySet();
    /** Cuts closed nodes' staged writes into chunks, a slice at a time. */
    private final java.util.concurrent.ExecutorService converter = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "semfs-staging");
        t.setDaemon(true);
        return t;
    });
    private final FileContent.ChunkReader chunkReader = new FileContent.ChunkReader() {
        @Override
        public byte[] read(byte[] hash) throws IOException {
            return readChunk(hash);
        }

        @Override
        public long locate(byte[] hash) throws IOException {
            byte[] loc = get(cfChunkLoc, hash);
            if (loc == null) throw new IOException("store is damaged: chunk " + Hashes.hex(hash) + " is missing");
            PackStore.Loc l = PackStore.Loc.decode(loc);
            return ((long) l.pack() << 40) | l.offset();
        }

        @Override
        public void locateAll(List<byte[]> hashes, long[] out) throws IOException {
            List<byte[]> values;
            try {
                values = db.multiGetAsList(java.util.Collections.nCopies(hashes.size(), cfChunkLoc), hashes);
            } catch (RocksDBException e) {
                throw io(e);
            }
            for (int i = 0; i < out.length; i++) {
                byte[] loc = values.get(i);
                if (loc == null) throw new IOException("store is damaged: chunk " + Hashes.hex(hashes.get(i)) + " is missing");
                PackStore.Loc l = PackStore.Loc.decode(loc);
                out[i] = ((long) l.pack() << 40) | l.offset();
            }
        }

        @Override
        public boolean readAt(long loc, int pos, byte[] buf, int off, int len) throws IOException {
            return packs.readInto((int) (loc >>> 40), (loc & ((1L << 40) - 1)) + pos, buf, off, len);
        }

        @Override
        public boolean adjacent(long loc, int length, long next) {
            return next == loc + length + PackStore.recordHeader();
        }

        @Override
        public boolean readRun(long loc, int pos, int[] pieces, int n, byte[] buf, int off) throws IOException {
            return packs.readRun((int) (loc >>> 40), (loc & ((1L << 40) - 1)) + pos, pieces, n, buf, off);
        }

        @Override
        public int maxRun() {
            return PackStore.MAX_RUN;
        }
    };

    /** In-memory state of a node whose content is in use: buffered writes and open handles. */
    private static final class Node {
        final long ino;
        final ReentrantLock lock = new ReentrantLock();
        FileContent content;
        /** The version whose content is still (partly) in the staging file; 0 when none. */
        long sealedVersion;
        /**
         * A "staged/" record names the staging file: always with a sealed version; without one
         * after an fsync of staged writes, until they are chunked.
         */
        boolean recorded;
        /** Recorded without a version when the store opened: nobody writes it, the background chunks it. */
        boolean resumed;
        /**
         * While the background cuts a slice under the node lock: what the node's buffered state
         * adds to its record (see {@link #stat}). A slice changes how content is stored, never
         * its size or times, so a stat need not wait for it; null whenever no slice holds the lock.
         */
        volatile Buffered duringSlice;
        /**
         * Lets reads of the content run beside a background slice while it plans (reads it, cuts
         * and hashes chunks), which is nearly all of its time: a read that missed the kernel's
         * page cache while dd read back a file it had just written waited for the slice under
         * way. Readers hold it shared and only while {@link #readsBeside} is set; the slice
         * takes it exclusively to end that (see {@link #endSharedReads}) before it commits or
         * changes anything a reader looks at. Fair, so that readers cannot keep the slice out.
         */
        final java.util.concurrent.locks.ReentrantReadWriteLock sliceReaders = new java.util.concurrent.locks.ReentrantReadWriteLock(true);
        /** Set by a background slice, after {@link #duringSlice}, while reads may run beside it. */
        volatile boolean readsBeside;
        /** {@link #inodeWrites} when the node was last found to be a live file (reads and writes skip the lookup). */
        long checkedAt = -1;
        /** Handles open on the node; counted under its lock, or during a slice (see {@link #retain}). */
        final java.util.concurrent.atomic.AtomicInteger opens = new java.util.concurrent.atomic.AtomicInteger();
        long pendingMtime;
        /** Who wrote the buffered or unversioned content last: its author when someone else versions it. */
        String lastWriter;

        Node(long ino) {
            this.ino = ino;
        }
    }

    private static final String[] CF_NAMES = {"default", "inodes", "dirents", "chunkloc", "pages", "refs", "zero",
            "versions", "pathversions", "snapshots", "snapentries", "pins", "xattrs", "changes", "settings"};

    private RocksWorkspaceStore(Path dir, StoreOptions options) throws IOException {
        this.dir = dir;
        this.options = options;
        this.cdc = new FastCdc(options.avgChunkSize());
        Files.createDirectories(dir);
        this.packs = new PackStore(dir.resolve("packs"), 256L << 20);
        this.stagingDir = dir.resolve("staging");
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2).setKeepLogFileNum(3);
        resources.add(dbOptions);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (String name : CF_NAMES) descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cfOptions(name)));
        handles = new ArrayList<>();
        try {
            checkLayout(dir);
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            for (AutoCloseable r : resources) closeQuietly(r);
            closeQuietly(packs);
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("lock")) {
                throw new SemfsException(ErrorCode.CONFLICT, dir.toString(),
                        "store is in use by another process (is a semfs mount or daemon running on it?)");
            }
            throw io(e);
        }
        cfMeta = handles.get(0); cfInodes = handles.get(1); cfDirents = handles.get(2); cfChunkLoc = handles.get(3);
        cfPages = handles.get(4); cfRefs = handles.get(5); cfZero = handles.get(6); cfVersions = handles.get(7);
        cfPathVersions = handles.get(8); cfSnapshots = handles.get(9); cfSnapEntries = handles.get(10); cfPins = handles.get(11);
        cfXattrs = handles.get(12); cfChanges = handles.get(13); cfSettings = handles.get(14);
    }

    /** A store whose column families are not this build's was written by another format: say so plainly. */
    private void checkLayout(Path dir) throws IOException, RocksDBException {
        if (!Files.exists(dir.resolve("CURRENT"))) return;
        List<String> existing = new ArrayList<>();
        try (org.rocksdb.Options o = new org.rocksdb.Options()) {
            for (byte[] name : RocksDB.listColumnFamilies(o, dir.toString())) existing.add(new String(name, StandardCharsets.UTF_8));
        }
        List<String> unknown = existing.stream().filter(n -> !List.of(CF_NAMES).contains(n)).toList();
        if (!unknown.isEmpty()) {
            for (AutoCloseable r : resources) closeQuietly(r);
            closeQuietly(packs);
            throw new SemfsException(ErrorCode.INVALID_ARGUMENT, dir.toString(), "this store was written by another"
                    + " semfs format (it has " + unknown + "); this build reads format " + FORMAT
                    + ": open it with the build that wrote it and export its files");
        }
    }

    private ColumnFamilyOptions cfOptions(String name) {
        ColumnFamilyOptions o = new ColumnFamilyOptions();
        resources.add(o);
        BlockBasedTableConfig table = new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false));
        o.setTableFormatConfig(table);
        o.setCompressionType(CompressionType.LZ4_COMPRESSION);
        return o;
    }

    public static WorkspaceStore open(Path dir, StoreOptions options) throws IOException {
        RocksWorkspaceStore store = new RocksWorkspaceStore(dir, options);
        try {
            store.init();
        } catch (IOException | RuntimeException e) {
            store.closeDb();
            throw e;
        }
        return store;
    }

    private void init() throws IOException {
        byte[] format = get(cfMeta, FORMAT_KEY);
        if (format != null && (format[0] > FORMAT || format[0] < OLDEST_UPGRADABLE)) {
            throw new SemfsException(ErrorCode.INVALID_ARGUMENT, dir.toString(),
                    "store format " + format[0] + " is not readable by this build (format " + FORMAT + ")");
        }
        if (format != null && format[0] < FORMAT) {
            try {
                db.put(cfMeta, syncWrite, FORMAT_KEY, new byte[]{FORMAT});
            } catch (RocksDBException e) {
                throw io(e);
            }
        }
        nextIno.set(Math.max(lastLongKey(cfInodes), ROOT) + 1);
        nextSeq.set(lastLongKey(cfChanges) + 1);
        nextSnapshot.set(lastLongKey(cfSnapshots) + 1);
        if (get(cfInodes, Codec.longKey(ROOT)) == null) {
            long now = now();
            Records.InodeRec root = new Records.InodeRec();
            root.ino = ROOT; root.type = FileType.DIRECTORY; root.mode = 0755; root.nlink = 2;
            root.atime = root.mtime = root.ctime = root.birth = now; root.parent = ROOT;
            root.uid = (int) currentUid(); root.gid = (int) currentGid();
            try (WriteBatch b = new WriteBatch()) {
                b.put(cfMeta, FORMAT_KEY, new byte[]{FORMAT});
                b.put(cfInodes, Codec.longKey(ROOT), root.encode());
                db.write(syncWrite, b);
            } catch (RocksDBException e) {
                throw io(e);
            }
        }
        cleanOrphans();
        resumeStaged();
    }

    private static final String STAGED = "staged/";
    /** The version of a staged record that is no version: the live content, synced. Real versions count from 1. */
    private static final long UNVERSIONED = 0;

    private static byte[] stagedKey(long ino) {
        return Codec.utf8(STAGED + ino);
    }

    private static byte[] encodeStaged(long version, String file, long[] ranges) {
        Codec.Out o = new Codec.Out().byte1(1).varlong(version).string(file).varlong(ranges.length / 2);
        long prev = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            o.varlong(ranges[i] - prev).varlong(ranges[i + 1] - ranges[i]);
            prev = ranges[i + 1];
        }
        return o.toBytes();
    }

    private record Staged(long version, String file, long[] ranges) {
        static Staged decode(byte[] v) {
            Codec.In in = new Codec.In(v);
            if (in.byte1() != 1) throw new IllegalStateException("unknown staged record format");
            long version = in.varlong();
            String file = in.string();
            long[] ranges = new long[in.varint() * 2];
            long prev = 0;
            for (int i = 0; i < ranges.length; i += 2) {
                ranges[i] = prev + in.varlong();
                ranges[i + 1] = ranges[i] + in.varlong();
                prev = ranges[i + 1];
            }
            return new Staged(version, file, ranges);
        }
    }

    /**
     * Files whose writes were still staged, closed or synced, when the last process ended: their
     * content is the stored root with the staging file on top, at the size of the inode record;
     * chunking resumes in the background (into the version, or the live root alone when none).
     * Staging files no record names held writes that were never closed or synced: dropped.
     */
    private void resumeStaged() throws IOException {
        Set<String> named = new HashSet<>();
        for (Map.Entry<String, byte[]> e : settingsIn(cfMeta, STAGED).entrySet()) {
            long ino = Long.parseLong(e.getKey().substring(STAGED.length()));
            Staged st = Staged.decode(e.getValue());
            Records.InodeRec rec = inode(ino);
            if (rec == null || rec.deleted || rec.nlink == 0) {
                // A file unlinked while open (a record left by a build that kept them, or a
                // kill between two slices of its chunking): its content is gone, so is the
                // record; the staging file goes with the unnamed ones below.
                commitLock.lock();
                try (Tx tx = new Tx()) {
                    tx.delete(cfMeta, stagedKey(ino));
                    tx.commit(false);
                } finally {
                    commitLock.unlock();
                }
                continue;
            }
            named.add(st.file());
            Node n = node(ino);
            n.content = new FileContent(cdc, chunkReader, loadExtents(rec.root));
            Path file = stagingDir.resolve(st.file());
            if (!Files.exists(file)) {
                // Only a machine crash before the file reached the disk does this (a closed
                // version not yet synced): its staged bytes read as zeros.
                System.err.println("semfs: staging file " + st.file() + " of node " + ino + " (version " + st.version()
                        + ") is missing: its staged bytes read as zeros");
            }
            StagingFile f = StagingFile.open(file);
            n.content.restoreStaged(f, st.ranges(), rec.size);
            n.sealedVersion = st.version();
            n.recorded = true;
            n.resumed = st.version() == UNVERSIONED;
            sealedStaging.add(f);
            convertLater(n);
        }
        if (Files.isDirectory(stagingDir)) {
            try (java.util.stream.Stream<Path> files = Files.list(stagingDir)) {
                for (Path p : files.toList()) if (!named.contains(p.getFileName().toString())) Files.deleteIfExists(p);
            }
        }
    }

    /** Nodes unlinked while open when the last process died: their live content is garbage now. */
    private void cleanOrphans() throws IOException {
        for (String key : settingsIn(cfMeta, ORPHAN).keySet()) {
            long ino = Long.parseLong(key.substring(ORPHAN.length()));
            commitLock.lock();
            try (Tx tx = new Tx()) {
                Records.InodeRec rec = inode(ino);
                if (rec != null && rec.nlink == 0) {
                    tx.root(rec.root, -1);
                    rec.root = List.of();
                    rec.size = 0;
                    rec.deleted = true;
                    tx.putInode(rec);
                    tx.delete(cfMeta, stagedKey(ino)); // its staging file goes as unnamed at open
                }
                tx.delete(cfMeta, Codec.utf8(key));
                tx.commit(false);
            } finally {
                commitLock.unlock();
            }
        }
    }

    private static long currentUid() {
        try {
            Object uid = Files.getAttribute(Path.of(System.getProperty("user.home")), "unix:uid");
            return ((Number) uid).longValue();
        } catch (Exception e) {
            return 0;
        }
    }

    private static long currentGid() {
        try {
            Object gid = Files.getAttribute(Path.of(System.getProperty("user.home")), "unix:gid");
            return ((Number) gid).longValue();
        } catch (Exception e) {
            return 0;
        }
    }

    private long now() {
        Duration d = Duration.between(java.time.Instant.EPOCH, options.clock().instant());
        return d.getSeconds() * 1_000_000_000L + d.getNano();
    }

    // ==========================================================================================
    // low-level access
    // ==========================================================================================

    private byte[] get(ColumnFamilyHandle cf, byte[] key) throws IOException {
        try {
            return db.get(cf, key);
        } catch (RocksDBException e) {
            throw io(e);
        }
    }

    private byte[] getAt(ColumnFamilyHandle cf, ReadOptions ro, byte[] key) throws IOException {
        try {
            return db.get(cf, ro, key);
        } catch (RocksDBException e) {
            throw io(e);
        }
    }

    private long lastLongKey(ColumnFamilyHandle cf) {
        try (RocksIterator it = db.newIterator(cf)) {
            it.seekToLast();
            return it.isValid() ? Codec.getLong(it.key(), 0) : 0;
        }
    }

    static IOException io(RocksDBException e) {
        Status s = e.getStatus();
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("No space left") || msg.contains("ENOSPC")
                || (s != null && s.getSubCode() == Status.SubCode.NoSpace)) {
            return new SemfsException(ErrorCode.NO_SPACE, null, "the store's disk is full: " + msg);
        }
        return new IOException("store error: " + msg, e);
    }

    /** Visits key/value pairs whose key starts with {@code prefix}, in key order, until the visitor returns false. */
    private void scan(ColumnFamilyHandle cf, byte[] prefix, ReadOptions ro, KvVisitor visitor) throws IOException {
        try (RocksIterator it = ro == null ? db.newIterator(cf) : db.newIterator(cf, ro)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (!Codec.startsWith(k, prefix)) break;
                if (!visitor.visit(k, it.value())) break;
            }
            try {
                it.status();
            } catch (RocksDBException e) {
                throw io(e);
            }
        }
    }

    @FunctionalInterface
    private interface KvVisitor {
        boolean visit(byte[] key, byte[] value) throws IOException;
    }

    private Records.InodeRec inode(long ino) throws IOException {
        byte[] v = inodeCache.get(ino);
        if (v == null) {
            long epoch = inodeCache.epoch();
            v = get(cfInodes, Codec.longKey(ino));
            if (v != null) inodeCache.fill(ino, v, epoch);
        }
        return v == null ? null : Records.InodeRec.decode(v);
    }

    /**
     * Encoded records read or written lately, in front of the key-value store's point lookups (a
     * quarter of the core's time per create, close and unlink went to RocksDB gets, inode records
     * and directory entries first among them). Written through: a batch's records replace the
     * cached ones once the batch is written. A reader fills in what it read only if no batch was
     * applied meanwhile, so a value read before a batch never lands after it. {@link #ABSENT}
     * caches a key the store does not have.
     */
    private static final class RecordCache<K> {
        private static final int MAX = 65_536;
        private final Map<K, byte[]> records = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, byte[]> eldest) {
                return size() > MAX;
            }
        };
        private long epoch;

        synchronized byte[] get(K key) {
            return records.get(key);
        }

        synchronized long epoch() {
            return epoch;
        }

        synchronized void fill(K key, byte[] encoded, long readAt) {
            if (epoch == readAt) records.putIfAbsent(key, encoded);
        }

        synchronized void written(Map<K, byte[]> batch) {
            records.putAll(batch);
            epoch++;
        }
    }

    /** A cached "no such key" (no record of either cache is empty). */
    private static final byte[] ABSENT = new byte[0];
    private final RecordCache<Long> inodeCache = new RecordCache<>();
    /** Keyed by the entry's key bytes (parent, name), which nothing changes once made. */
    private final RecordCache<java.nio.ByteBuffer> direntCache = new RecordCache<>();

    private Records.InodeRec liveInode(long ino) throws IOException {
        Records.InodeRec rec = inode(ino);
        if (rec == null || (rec.deleted && rec.nlink == 0 && !isOpen(ino))) {
            throw new NoSuchFileException("#" + ino, null, "no such node");
        }
        return rec;
    }

    private boolean isOpen(long ino) {
        Node n = nodes.get(ino);
        return n != null && n.opens.get() > 0;
    }

    private Records.InodeRec directory(long ino) throws IOException {
        Records.InodeRec rec = inode(ino);
        if (rec == null || rec.deleted) throw new NoSuchFileException("#" + ino, null, "no such directory");
        if (rec.type != FileType.DIRECTORY) throw new NotDirectoryException("#" + ino);
        return rec;
    }

    private static byte[] direntKey(long parent, String name) {
        return Codec.longStringKey(parent, name);
    }

    private DirEntry dirent(long parent, String name) throws IOException {
        byte[] k = direntKey(parent, name);
        java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(k);
        byte[] v = direntCache.get(key);
        if (v == null) {
            long epoch = direntCache.epoch();
            v = get(cfDirents, k);
            direntCache.fill(key, v == null ? ABSENT : v, epoch);
        }
        return v == null || v.length == 0 ? null : new DirEntry(name, Codec.getLong(v, 0), FileType.values()[v[8]]);
    }

    private static byte[] direntValue(long ino, FileType type) {
        byte[] v = new byte[9];
        Codec.putLong(v, 0, ino);
        v[8] = (byte) type.ordinal();
        return v;
    }

    private static void checkName(String name) throws SemfsException {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0) {
            throw SemfsException.invalid(name, "invalid file name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new SemfsException(ErrorCode.TOO_LARGE, name, "file name longer than " + MAX_NAME_BYTES + " bytes");
        }
    }

    byte[] readChunk(byte[] hash) throws IOException {
        byte[] data = cache.get(hash);
        if (data != null) return data;
        for (int attempt = 0; ; attempt++) {
            byte[] loc = get(cfChunkLoc, hash);
            if (loc == null) throw new IOException("store is damaged: chunk " + Hashes.hex(hash) + " is missing");
            try {
                data = packs.read(PackStore.Loc.decode(loc));
                break;
            } catch (IOException e) {
                if (attempt > 0 || !PackStore.isGone(e)) throw e; // moved by pack compaction: look again
            }
        }
        cache.put(hash, data);
        return data;
    }

    private List<Extent> loadExtents(List<PageRef> root) throws IOException {
        List<Extent> list = new ArrayList<>();
        for (PageRef p : root) {
            byte[] body = get(cfPages, p.hash());
            if (body == null) throw new IOException("store is damaged: page " + Hashes.hex(p.hash()) + " is missing");
            list.addAll(Pages.decodePage(body));
        }
        return list;
    }

    private static long rootSize(List<PageRef> root) {
        long s = 0;
        for (PageRef p : root) s += p.bytes();
        return s;
    }

    // ==========================================================================================
    // transactions: one WriteBatch, reference-count deltas, change-log entries
    // ==========================================================================================

    private record RefKey(byte kind, FileContent.Key key) {}

    /** One atomic batch. Build it anywhere; commit it with the commit lock held. */
    private final class Tx implements AutoCloseable {
        final WriteBatch batch = new WriteBatch();
        final Map<FileContent.Key, Long> pageDeltas = new LinkedHashMap<>();
        final Map<FileContent.Key, Long> chunkDeltas = new LinkedHashMap<>();
        final Map<FileContent.Key, FileContent.Body> newChunks = new HashMap<>();
        final Map<FileContent.Key, Pages.Page> newPages = new HashMap<>();
        final List<ChangeRecord> changes = new ArrayList<>();
        final long time = now();

        /** Directory entries this batch writes (ABSENT: deletes), for {@link #direntCache}. */
        final Map<java.nio.ByteBuffer, byte[]> dirents = new HashMap<>();

        void put(ColumnFamilyHandle cf, byte[] k, byte[] v) throws IOException {
            try {
                batch.put(cf, k, v);
            } catch (RocksDBException e) {
                throw io(e);
            }
            if (cf == cfDirents) dirents.put(java.nio.ByteBuffer.wrap(k.clone()), v.clone());
        }

        void delete(ColumnFamilyHandle cf, byte[] k) throws IOException {
            try {
                batch.delete(cf, k);
            } catch (RocksDBException e) {
                throw io(e);
            }
            if (cf == cfDirents) dirents.put(java.nio.ByteBuffer.wrap(k.clone()), ABSENT);
        }

        /** Inode records this batch writes, for {@link #inodeCache}. */
        final Map<Long, byte[]> inodes = new HashMap<>();

        void putInode(Records.InodeRec rec) throws IOException {
            byte[] encoded = rec.encode();
            put(cfInodes, Codec.longKey(rec.ino), encoded);
            inodes.put(rec.ino, encoded);
        }

        void root(List<PageRef> root, long sign) {
            for (PageRef p : root) pageDeltas.merge(new FileContent.Key(p.hash()), sign, Long::sum);
        }

        void content(List<Pages.Page> pages, Map<FileContent.Key, FileContent.Body> chunks) {
            for (Pages.Page p : pages) newPages.putIfAbsent(new FileContent.Key(p.hash()), p);
            newChunks.putAll(chunks);
        }

        private final Map<String, Long> pathNumbers = new HashMap<>();

        /** Appends an entry to a path's history, numbered after the path's newest entry. */
        void pathEntry(String path, long ino, long version, VersionKind kind) throws IOException {
            if (path == null) return;
            Long last = pathNumbers.get(path);
            if (last == null) last = latestPathVersion(path).map(PathVersion::number).orElse(0L);
            long number = last + 1;
            pathNumbers.put(path, number);
            byte[] v = new byte[25];
            Codec.putLong(v, 0, ino);
            Codec.putLong(v, 8, version);
            Codec.putLong(v, 16, time);
            v[24] = (byte) kind.ordinal();
            put(cfPathVersions, pathVersionKey(path, number), v);
        }

        VersionRecord version(Records.InodeRec rec, VersionKind kind, Change change, String path) throws IOException {
            long number = rec.latestVersion + 1;
            VersionRecord v = new VersionRecord(rec.ino, number, time, rec.type, rec.size, rec.mode, kind,
                    change.agent(), change.reason(), path, rec.symlinkTarget);
            put(cfVersions, Codec.longLongKey(rec.ino, number), new Records.VersionRec(v, rec.root).encode());
            root(rec.root, +1);
            rec.latestVersion = number;
            rec.changed = false;
            pathEntry(path, rec.ino, number, kind);
            return v;
        }

        void log(String op, Records.InodeRec rec, String path, String toPath, long version, Change change) {
            changes.add(new ChangeRecord(0, time, op, rec == null ? 0 : rec.ino, rec == null ? null : rec.type,
                    path, toPath, version, change.agent(), change.via(), change.reason()));
        }

        /** Resolves reference counts and writes the batch. Caller holds the commit lock. */
        List<ChangeRecord> commit(boolean sync) throws IOException {
            if (!commitLock.isHeldByCurrentThread()) throw new IllegalStateException("commit lock not held");
            for (Map.Entry<FileContent.Key, Long> d : pageDeltas.entrySet()) {
                if (d.getValue() == 0) continue;
                boolean created = applyDelta(KIND_PAGE, d.getKey(), d.getValue());
                if (created) {
                    Pages.Page page = newPages.get(d.getKey());
                    if (page == null) throw new IllegalStateException("new reference to unknown page " + Hashes.hex(d.getKey().hash()));
                    put(cfPages, page.hash(), page.body());
                    for (Extent e : page.extents()) if (!e.isHole()) chunkDeltas.merge(new FileContent.Key(e.hash()), 1L, Long::sum);
                }
            }
            for (Map.Entry<FileContent.Key, Long> d : chunkDeltas.entrySet()) {
                if (d.getValue() == 0) continue;
                boolean created = applyDelta(KIND_CHUNK, d.getKey(), d.getValue());
                if (created) {
                    FileContent.Body body = newChunks.get(d.getKey());
                    if (body == null) throw new IllegalStateException("new reference to unknown chunk " + Hashes.hex(d.getKey().hash()));
                    // The bytes reach the pack (page cache) before the batch that names them.
                    put(cfChunkLoc, d.getKey().hash(), packs.append(d.getKey().hash(), body.array(), body.off(), body.len()).encode());
                }
            }
            long firstSeq = nextSeq.get();
            List<ChangeRecord> logged = new ArrayList<>(changes.size());
            for (ChangeRecord c : changes) {
                long seq = firstSeq + logged.size();
                ChangeRecord r = new ChangeRecord(seq, c.time(), c.op(), c.ino(), c.type(), c.path(), c.toPath(),
                        c.version(), c.agent(), c.via(), c.reason());
                put(cfChanges, Codec.longKey(seq), Records.encodeChange(r));
                logged.add(r);
            }
            if (sync) {
                forceForSync();
            } else {
                packs.flush(); // the bytes reach the page cache before the batch that names them
            }
            try {
                db.write(sync ? syncWrite : asyncWrite, batch);
                if (!inodes.isEmpty()) inodeCache.written(inodes);
                if (!dirents.isEmpty()) direntCache.written(dirents);
                Runnable hook = afterBatch;
                if (hook != null) hook.run();
            } catch (RocksDBException e) {
                throw io(e);
            } finally {
                if (!inodes.isEmpty()) inodeWrites.incrementAndGet();
                if (!pathNumbers.isEmpty()) {
                    pathEpoch.incrementAndGet();
                    for (String p : pathNumbers.keySet()) latestPaths.remove(p);
                }
            }
            nextSeq.set(firstSeq + logged.size());
            return logged;
        }

        /** Adds to a reference count; true when the object must be stored (it did not exist). */
        private boolean applyDelta(byte kind, FileContent.Key key, long delta) throws IOException {
            byte[] refKey = refKey(kind, key.hash());
            byte[] cur = get(cfRefs, refKey);
            long count = cur == null ? 0 : new Codec.In(cur).varlong();
            long updated = count + delta;
            if (updated < 0) throw new IllegalStateException("reference count below zero for " + (char) kind + Hashes.hex(key.hash()));
            put(cfRefs, refKey, new Codec.Out().varlong(updated).toBytes());
            if (updated == 0) put(cfZero, refKey, new byte[0]);
            else if (cur != null && count == 0) delete(cfZero, refKey);
            return cur == null && updated > 0;
        }

        @Override
        public void close() {
            batch.close();
        }
    }

    private static byte[] refKey(byte kind, byte[] hash) {
        byte[] k = new byte[1 + hash.length];
        k[0] = kind;
        System.arraycopy(hash, 0, k, 1, hash.length);
        return k;
    }

    // ==========================================================================================
    // namespace
    // ==========================================================================================

    @Override
    public Inode stat(long ino) throws IOException {
        Node n = nodes.get(ino);
        if (n == null) return liveInode(ino).toInode();
        if (!n.lock.tryLock()) {
            // The background chunking of staged writes holds the lock for a whole slice (getattr,
            // and so ls -l, would wait for it); it published what buffered writes add to the
            // record meanwhile (a write since the close may be buffered). The record itself is
            // read now: links and xattrs change it without the node lock.
            Buffered during = n.duringSlice;
            if (during != null) return during.over(liveInode(ino)).toInode();
            n.lock.lock();
        }
        try {
            // The record is read under the node lock too: a flush between reading it and looking
            // at the buffered content would leave the size from before the flushed writes.
            return buffered(n).over(liveInode(ino)).toInode();
        } finally {
            n.lock.unlock();
        }
    }

    /**
     * What a node's buffered writes add to its record: their size (-1 when none) and whether they
     * are a change since the newest version, and a modification time not yet stored.
     */
    private record Buffered(long size, boolean changed, long pendingMtime) {
        Records.InodeRec over(Records.InodeRec rec) {
            if (rec.type == FileType.FILE) {
                if (size >= 0) rec.size = size;
                if (changed) rec.changed = true;
                if (pendingMtime > rec.mtime) rec.mtime = rec.ctime = pendingMtime;
            }
            return rec;
        }
    }

    /** Caller holds the node lock. */
    private static Buffered buffered(Node n) {
        boolean dirty = n.content != null && n.content.isDirty();
        // A sealed version being chunked is dirty, but it is a version, not a change since one.
        return new Buffered(dirty ? n.content.size() : -1, dirty && n.sealedVersion == 0, n.pendingMtime);
    }

    @Override
    public Optional<Inode> lookup(long parent, String name) throws IOException {
        checkName(name);
        directory(parent);
        DirEntry d = dirent(parent, name);
        return d == null ? Optional.empty() : Optional.of(stat(d.ino()));
    }

    @Override
    public List<DirEntry> list(long dirIno) throws IOException {
        directory(dirIno);
        List<DirEntry> out = new ArrayList<>();
        byte[] prefix = Codec.longKey(dirIno);
        scan(cfDirents, prefix, null, (k, v) -> {
            String name = new String(k, 8, k.length - 8, StandardCharsets.UTF_8);
            out.add(new DirEntry(name, Codec.getLong(v, 0), FileType.values()[v[8]]));
            return true;
        });
        return out;
    }

    @Override
    public Inode create(long parent, String name, FileType type, int mode, int uid, int gid, String symlinkTarget,
                        Change change) throws IOException {
        checkName(name);
        if ((type == FileType.SYMLINK) != (symlinkTarget != null)) {
            throw SemfsException.invalid(change.path(), "a symlink needs a target, and only a symlink has one");
        }
        commitLock.lock();
        try (Tx tx = new Tx()) {
            Records.InodeRec dirRec = directory(parent);
            if (dirent(parent, name) != null) throw new FileAlreadyExistsException(change.path());
            Records.InodeRec rec = new Records.InodeRec();
            rec.ino = nextIno.getAndIncrement();
            rec.type = type;
            rec.mode = mode & 07777;
            rec.uid = uid;
            rec.gid = gid;
            rec.nlink = type == FileType.DIRECTORY ? 2 : 1;
            rec.atime = rec.mtime = rec.ctime = rec.birth = tx.time;
            rec.parent = parent;
            rec.symlinkTarget = symlinkTarget;
            rec.size = symlinkTarget == null ? 0 : symlinkTarget.getBytes(StandardCharsets.UTF_8).length;
            long version = 0;
            if (type == FileType.FILE) {
                rec.changed = true; // its first close cuts version 1, even if nothing is written
            } else {
                version = tx.version(rec, VersionKind.CREATE, change, change.path()).number();
            }
            tx.putInode(rec);
            tx.put(cfDirents, direntKey(parent, name), direntValue(rec.ino, type));
            if (type == FileType.DIRECTORY) dirRec.nlink++;
            dirRec.mtime = dirRec.ctime = tx.time;
            tx.putInode(dirRec);
            tx.log(switch (type) { case FILE -> "create"; case DIRECTORY -> "mkdir"; case SYMLINK -> "symlink"; },
                    rec, change.path(), symlinkTarget, version, change);
            tx.commit(false);
            return rec.toInode();
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public Inode link(long ino, long parent, String name, Change change) throws IOException {
        checkName(name);
        commitLock.lock();
        try (Tx tx = new Tx()) {
            Records.InodeRec rec = liveInode(ino);
            if (rec.type == FileType.DIRECTORY) {
                throw new SemfsException(ErrorCode.NOT_PERMITTED, change.path(), "cannot hard-link a directory");
            }
            if (rec.nlink == 0) throw new NoSuchFileException(change.path(), null, "file was deleted");
            Records.InodeRec dirRec = directory(parent);
            String target = change.toPath() != null ? change.toPath() : change.path();
            if (dirent(parent, name) != null) throw new FileAlreadyExistsException(target);
            rec.nlink++;
            rec.ctime = tx.time;
            tx.putInode(rec);
            tx.put(cfDirents, direntKey(parent, name), direntValue(ino, rec.type));
            dirRec.mtime = dirRec.ctime = tx.time;
            tx.putInode(dirRec);
            if (rec.latestVersion > 0) tx.pathEntry(target, ino, rec.latestVersion, VersionKind.CREATE);
            tx.log("link", rec, change.path(), change.toPath(), 0, change);
            tx.commit(false);
            return rec.toInode();
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public void unlink(long parent, String name, Change change) throws IOException {
        checkName(name);
        DirEntry d = dirent(parent, name);
        if (d == null) throw new NoSuchFileException(change.path());
        if (d.type() == FileType.DIRECTORY) throw SemfsException.isDirectory(change.path());
        Node n = node(d.ino());
        n.lock.lock();
        try {
            flushLocked(n, change);
            commitLock.lock();
            try (Tx tx = new Tx()) {
                DirEntry again = dirent(parent, name);
                if (again == null || again.ino() != d.ino()) throw new NoSuchFileException(change.path());
                Records.InodeRec dirRec = directory(parent);
                removeName(tx, inode(d.ino()), dirRec, name, change, change.path());
                tx.putInode(dirRec);
                tx.commit(false);
            } finally {
                commitLock.unlock();
            }
        } finally {
            n.lock.unlock();
            evict(n);
        }
    }

    /**
     * Drops one name of a file or symlink. The last name cuts a final WRITE version if the
     * content changed, then a DELETE tombstone; content stays while handles are open.
     * Caller holds the node lock (flushed) and the commit lock, and puts {@code dirRec}.
     */
    private void removeName(Tx tx, Records.InodeRec rec, Records.InodeRec dirRec, String name, Change change,
                            String path) throws IOException {
        long version = 0;
        rec.nlink--;
        rec.ctime = tx.time;
        if (rec.nlink == 0) {
            if (rec.changed && rec.type == FileType.FILE) {
                tx.version(rec, rec.latestVersion == 0 ? VersionKind.CREATE : VersionKind.WRITE, change.withReason("before delete"), path);
            }
            List<PageRef> live = rec.root;
            long size = rec.size;
            rec.root = List.of();
            rec.size = 0;
            version = tx.version(rec, VersionKind.DELETE, change, path).number();
            rec.root = live;
            rec.size = size;
            if (isOpen(rec.ino)) {
                tx.put(cfMeta, Codec.utf8(ORPHAN + rec.ino), new byte[0]);
            } else {
                tx.root(rec.root, -1);
                rec.root = List.of();
                rec.size = 0;
                rec.deleted = true;
            }
        }
        tx.putInode(rec);
        tx.delete(cfDirents, direntKey(dirRec.ino, name));
        dirRec.mtime = dirRec.ctime = tx.time;
        tx.log("delete", rec, path, null, version, change);
    }

    @Override
    public void rmdir(long parent, String name, Change change) throws IOException {
        checkName(name);
        commitLock.lock();
        try (Tx tx = new Tx()) {
            DirEntry d = dirent(parent, name);
            if (d == null) throw new NoSuchFileException(change.path());
            if (d.type() != FileType.DIRECTORY) throw new NotDirectoryException(change.path());
            Records.InodeRec dirRec = directory(parent);
            Records.InodeRec rec = inode(d.ino());
            removeDirectory(tx, rec, dirRec, name, change, change.path());
            tx.putInode(dirRec);
            tx.commit(false);
        } finally {
            commitLock.unlock();
        }
    }

    private void removeDirectory(Tx tx, Records.InodeRec rec, Records.InodeRec dirRec, String name, Change change,
                                 String path) throws IOException {
        if (!isEmptyDir(rec.ino)) throw new DirectoryNotEmptyException(path);
        rec.nlink = 0;
        rec.deleted = true;
        rec.ctime = tx.time;
        long version = tx.version(rec, VersionKind.DELETE, change, path).number();
        tx.putInode(rec);
        tx.delete(cfDirents, direntKey(dirRec.ino, name));
        dirRec.nlink--;
        dirRec.mtime = dirRec.ctime = tx.time;
        tx.log("rmdir", rec, path, null, version, change);
    }

    private boolean isEmptyDir(long ino) throws IOException {
        boolean[] empty = {true};
        scan(cfDirents, Codec.longKey(ino), null, (k, v) -> {
            empty[0] = false;
            return false;
        });
        return empty[0];
    }

    @Override
    public Inode rename(long fromParent, String fromName, long toParent, String toName, Change change) throws IOException {
        checkName(fromName);
        checkName(toName);
        // The nodes to flush are found before the locks are taken; if another rename replaced the
        // target meanwhile, look again rather than fail a rename that POSIX says must succeed.
        for (int attempt = 0; ; attempt++) {
            Inode moved = renameOnce(fromParent, fromName, toParent, toName, change);
            if (moved != null) return moved;
            if (attempt >= 100) throw new SemfsException(ErrorCode.CONFLICT, change.toPath(), "target keeps changing; try again");
        }
    }

    /** One attempt; null when the target changed between looking and locking. */
    private Inode renameOnce(long fromParent, String fromName, long toParent, String toName, Change change) throws IOException {
        String from = change.path();
        String to = change.toPath();
        DirEntry src = dirent(fromParent, fromName);
        if (src == null) throw new NoSuchFileException(from);
        DirEntry dst = dirent(toParent, toName);
        if (dst != null && dst.ino() == src.ino()) return stat(src.ino()); // POSIX: a rename onto a link of itself does nothing
        // Lock both nodes in inode order, so that buffered content is flushed and versioned right.
        List<Node> locked = new ArrayList<>();
        List<Long> inos = new ArrayList<>(List.of(src.ino()));
        if (dst != null) inos.add(dst.ino());
        inos.sort(Comparator.naturalOrder());
        try {
            for (long ino : inos) {
                Node n = node(ino);
                n.lock.lock();
                locked.add(n);
                flushLocked(n, change);
            }
            commitLock.lock();
            try (Tx tx = new Tx()) {
                DirEntry s2 = dirent(fromParent, fromName);
                DirEntry d2 = dirent(toParent, toName);
                if (s2 == null || s2.ino() != src.ino()) throw new NoSuchFileException(from);
                if ((d2 == null) != (dst == null) || (d2 != null && d2.ino() != dst.ino())) return null;
                Records.InodeRec fromDir = directory(fromParent);
                Records.InodeRec toDir = fromParent == toParent ? fromDir : directory(toParent);
                Records.InodeRec rec = inode(src.ino());
                if (rec.type == FileType.DIRECTORY) {
                    for (long p = toParent; ; ) { // a directory cannot move below itself
                        if (p == rec.ino) throw SemfsException.invalid(to, "cannot move a directory into itself");
                        if (p == ROOT) break;
                        p = inode(p).parent;
                    }
                }
                if (d2 != null) {
                    Records.InodeRec target = inode(d2.ino());
                    if (target.type == FileType.DIRECTORY && rec.type != FileType.DIRECTORY) throw SemfsException.isDirectory(to);
                    if (target.type != FileType.DIRECTORY && rec.type == FileType.DIRECTORY) throw new NotDirectoryException(to);
                    Change replaced = change.withReason("replaced by " + from);
                    if (target.type == FileType.DIRECTORY) removeDirectory(tx, target, toDir, toName, replaced, to);
                    else removeName(tx, target, toDir, toName, replaced, to);
                }
                tx.delete(cfDirents, direntKey(fromParent, fromName));
                tx.put(cfDirents, direntKey(toParent, toName), direntValue(rec.ino, rec.type));
                if (rec.type == FileType.DIRECTORY && fromParent != toParent) {
                    rec.parent = toParent;
                    fromDir.nlink--;
                    toDir.nlink++;
                }
                fromDir.mtime = fromDir.ctime = tx.time;
                toDir.mtime = toDir.ctime = tx.time;
                rec.ctime = tx.time;
                long version = 0;
                if (rec.latestVersion > 0) {
                    tx.pathEntry(from, rec.ino, 0, VersionKind.MOVED);
                    version = tx.version(rec, VersionKind.RENAME, change, to).number();
                } // else: a new file's first close will be version 1, under its new name
                if (rec.type == FileType.DIRECTORY) moveDescendantHistories(tx, rec.ino, from, to);
                tx.putInode(rec);
                tx.putInode(fromDir);
                if (toDir != fromDir) tx.putInode(toDir);
                tx.log("rename", rec, from, to, version, change);
                tx.commit(false);
                return rec.toInode();
            } finally {
                commitLock.unlock();
            }
        } finally {
            for (Node n : locked) n.lock.unlock();
            for (Node n : locked) evict(n);
        }
    }

    /** Path histories follow a directory's descendants when it moves: each old path ends, each new one begins. */
    private void moveDescendantHistories(Tx tx, long dirIno, String from, String to) throws IOException {
        ArrayDeque<Map.Entry<Long, String>> todo = new ArrayDeque<>();
        todo.add(Map.entry(dirIno, ""));
        while (!todo.isEmpty()) {
            Map.Entry<Long, String> d = todo.poll();
            for (DirEntry e : list(d.getKey())) {
                String rel = d.getValue() + "/" + e.name();
                Records.InodeRec child = inode(e.ino());
                if (e.type() == FileType.DIRECTORY) todo.add(Map.entry(e.ino(), rel));
                if (child.latestVersion == 0) continue;
                tx.pathEntry(from + rel, child.ino, 0, VersionKind.MOVED);
                tx.pathEntry(to + rel, child.ino, child.latestVersion, VersionKind.RENAME);
            }
        }
    }

    @Override
    public Inode setAttributes(long ino, Integer mode, Integer uid, Integer gid, Long atime, Long mtime, Change change)
            throws IOException {
        Node n = node(ino);
        n.lock.lock();
        commitLock.lock();
        try (Tx tx = new Tx()) {
            Records.InodeRec rec = liveInode(ino);
            if (mode != null) rec.mode = mode & 07777;
            if (uid != null) rec.uid = uid;
            if (gid != null) rec.gid = gid;
            if (atime != null) rec.atime = atime;
            if (mtime != null) {
                rec.mtime = mtime;
                n.pendingMtime = 0;
            }
            rec.ctime = tx.time;
            tx.putInode(rec);
            tx.log("setattr", rec, change.path(), null, 0, change);
            tx.commit(false);
        } finally {
            commitLock.unlock();
            n.lock.unlock();
            evict(n);
        }
        return stat(ino);
    }

    // ==========================================================================================
    // content
    // ==========================================================================================

    private Node node(long ino) {
        return nodes.computeIfAbsent(ino, Node::new);
    }

    private static final int MAX_IDLE_NODES = 256;

    /**
     * Forgets idle nodes' in-memory state once too many are cached. A clean node stays cached
     * for a while: a sequential reader must not reload a large file's extent list on every read.
     */
    private void evict(Node n) {
        if (nodes.size() <= MAX_IDLE_NODES) return;
        for (Node candidate : List.copyOf(nodes.values())) {
            if (nodes.size() <= MAX_IDLE_NODES / 2) break;
            if (candidate.lock.tryLock()) {
                try {
                    if (candidate.opens.get() == 0 && (candidate.content == null || !candidate.content.isDirty())
                            && candidate.pendingMtime == 0) {
                        nodes.remove(candidate.ino, candidate);
                    }
                } finally {
                    candidate.lock.unlock();
                }
            }
        }
    }

    private FileContent content(Node n, Records.InodeRec rec) throws IOException {
        if (n.content == null) n.content = new FileContent(cdc, chunkReader, loadExtents(rec.root));
        return n.content;
    }

    private Records.InodeRec fileForContent(long ino) throws IOException {
        Records.InodeRec rec = liveInode(ino);
        if (rec.type == FileType.DIRECTORY) throw SemfsException.isDirectory("#" + ino);
        if (rec.type == FileType.SYMLINK) throw SemfsException.invalid("#" + ino, "is a symlink");
        return rec;
    }

    @Override
    public int read(long ino, long offset, byte[] buf, int off, int len) throws IOException {
        if (offset < 0) throw SemfsException.invalid("#" + ino, "negative offset");
        Node n = nodes.get(ino);
        if (n == null) {
            // Not in use: read straight from the stored root.
            Records.InodeRec rec = fileForContent(ino);
            if (offset >= rec.size) return 0;
            n = node(ino);
        }
        if (!n.lock.tryLock()) {
            int read = besideSlice(n, c -> Math.max(0, c.read(offset, buf, off, len)));
            if (read >= 0) return read;
            n.lock.lock();
        }
        try {
            if (n.content != null) {
                checkFile(n);
                return n.content.read(offset, buf, off, len);
            }
            Records.InodeRec rec = fileForContent(ino);
            return content(n, rec).read(offset, buf, off, len);
        } finally {
            n.lock.unlock();
            evict(n);
        }
    }

    /** A look at a node's live content beside a slice: a count, or {@link #WAIT} or {@link #NOT_LIVE}. */
    @FunctionalInterface
    private interface BesideSlice {
        int read(FileContent c) throws IOException;
    }

    private static final int WAIT = -1, NOT_LIVE = -2;

    /**
     * Runs {@code read} on the node's live content beside the background slice that holds the
     * node's lock, if one does and is still planning; else {@link #WAIT} (take the lock). A
     * slice runs only on a live file whose content is loaded, and nothing but the slice, which
     * changes no content a read sees until it has ended shared reads, can change the node
     * meanwhile: reading the volatile {@link Node#readsBeside} the slice set under the lock
     * makes all that was done under the lock before it visible here.
     */
    private static int besideSlice(Node n, BesideSlice read) throws IOException {
        if (!n.readsBeside) return WAIT;
        var shared = n.sliceReaders.readLock();
        try {
            if (!shared.tryLock(0, java.util.concurrent.TimeUnit.NANOSECONDS)) return WAIT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return WAIT;
        }
        try {
            FileContent c = n.content;
            if (!n.readsBeside || c == null) return WAIT;
            return read.read(c);
        } finally {
            shared.unlock();
        }
    }

    /** Run after each batch is written, under the commit lock; for tests (a kill right there). */
    private volatile Runnable afterBatch;

    void onBatch(Runnable hook) {
        afterBatch = hook;
    }

    /** Run by a background slice once it has planned, before it ends shared reads; for tests. */
    private volatile Runnable slicePlanned;

    void onSlicePlanned(Runnable hook) {
        slicePlanned = hook;
    }

    /** Ends the reads beside a background slice: waits for those under way, lets no more in. */
    private static void endSharedReads(Node n) {
        var exclusive = n.sliceReaders.writeLock();
        exclusive.lock();
        try {
            n.readsBeside = false;
        } finally {
            exclusive.unlock();
        }
    }

    @Override
    public void write(long ino, long offset, byte[] buf, int off, int len, Change change) throws IOException {
        if (offset < 0) throw SemfsException.invalid(change.path(), "negative offset");
        writeLocked(ino, offset, buf, off, len, change);
    }

    @Override
    public long append(long ino, byte[] buf, int off, int len, Change change) throws IOException {
        return writeLocked(ino, -1, buf, off, len, change);
    }

    /** Writes at {@code offset}, or with -1 at the size the node has under its lock; returns where. */
    private long writeLocked(long ino, long offset, byte[] buf, int off, int len, Change change) throws IOException {
        Node n = node(ino);
        n.lock.lock();
        try {
            FileContent c;
            if (n.content != null) {
                checkFile(n);
                c = n.content;
            } else {
                c = content(n, fileForContent(ino));
            }
            if (n.sealedVersion != 0) convertAll(n); // a closed version still being chunked: finish it first
            long at = offset < 0 ? c.size() : offset;
            if (at + len < 0 || at + len > Long.MAX_VALUE / 2) throw new SemfsException(ErrorCode.TOO_LARGE, change.path(), "file too large");
            c.write(at, buf, off, len);
            n.pendingMtime = now();
            n.lastWriter = change.agent();
            if (c.staging() == null && c.dirtyBytes() >= options.dirtyLimit()) {
                // Past the in-memory limit, writes go to a staging file as they come; they are
                // chunked when the file is synced, or after its close, in the background.
                StagingFile f = StagingFile.create(stagingDir.resolve(ino + "-" + Long.toHexString(stagingSeq.incrementAndGet())
                        + "-" + Long.toHexString(System.nanoTime())));
                try {
                    c.spill(f);
                } catch (IOException | RuntimeException e) {
                    f.delete();
                    throw e;
                }
            }
            return at;
        } finally {
            n.lock.unlock();
        }
    }

    private final AtomicLong stagingSeq = new AtomicLong();
    /** Counts committed batches that changed an inode record (a read of a cached node checks it only when this moved). */
    private final AtomicLong inodeWrites = new AtomicLong();

    /** Checks that a node whose content is cached is still a live file: a record lookup only after inode changes. */
    private void checkFile(Node n) throws IOException {
        long at = inodeWrites.get();
        if (n.content != null && n.checkedAt == at) return;
        fileForContent(n.ino);
        n.checkedAt = at;
    }

    /**
     * Stores a node's buffered and staged writes (not yet as a version), staged ones in slices
     * of one batch each; finishes chunking recorded staged writes (a closed version's or synced
     * ones). Caller holds the node lock.
     */
    private void flushLocked(Node n, Change change) throws IOException {
        flushLocked(n, change, null);
    }

    /**
     * A version to cut in the batch that stores a node's last flushed writes: a close is then
     * one batch, so a kill leaves either the writes with their version or neither (the writes
     * were flushed in a batch of their own, and a kill before the version's batch left closed
     * writes that no version had).
     */
    private record Cut(VersionKind kind, Change change, boolean evenIfUnchanged) {}

    /**
     * {@link #flushLocked(Node, Change)}, then, with a {@code cut}, a version of the node if it
     * changed (or if it is linked at all, with {@link Cut#evenIfUnchanged}), in the batch of the
     * last flushed writes; staged ones before it go in slices of a batch each, as always.
     */
    private Optional<VersionRecord> flushLocked(Node n, Change change, Cut cut) throws IOException {
        FileContent staged = n.content;
        if (!n.recorded && staged != null && staged.staging() != null && staged.hasStaged()) {
            // Each slice's batch records what is still staged: a slice can move the tail of a
            // stored chunk into the staging file (a hole in the root), which a kill between
            // slices must not leave as zeros.
            n.recorded = true;
            sealedStaging.add(staged.staging());
        }
        if (n.recorded) convertAll(n);
        if (n.content == null || !n.content.isDirty()) {
            if (cut != null || n.pendingMtime != 0) return commitLocked(n, cut);
            return Optional.empty();
        }
        VersionRecord v;
        while (true) {
            FileContent.Plan plan = n.content.planFlush(options.dirtyLimit());
            v = store(n, plan, null, change, plan.complete() ? cut : null);
            n.content.apply(plan);
            plan.release();
            if (plan.complete()) break;
        }
        StagingFile done = n.content.detachEmptyStaging();
        if (done != null) done.delete();
        return Optional.ofNullable(v);
    }

    /**
     * Makes a node's staged writes a version at once (the close of a large write): the version
     * names the stored root plus the staging file, which is cut into chunks afterwards.
     * Caller holds the node lock; the node has staged writes and no sealed version.
     */
    private VersionRecord sealLocked(Node n, VersionKind kind, Change change) throws IOException {
        FileContent c = n.content;
        // The bytes are in the file before a record names them: a kill after the close must
        // find them there (in the page cache; a sync forces them).
        c.staging().drain();
        commitLock.lock();
        try (Tx tx = new Tx()) {
            Records.InodeRec rec = inode(n.ino);
            rec.size = c.size();
            rec.mtime = n.pendingMtime != 0 ? Math.max(rec.mtime, n.pendingMtime) : tx.time;
            rec.ctime = tx.time;
            rec.changed = true;
            VersionRecord v = tx.version(rec, rec.latestVersion == 0 ? VersionKind.CREATE : kind, change, change.path());
            tx.putInode(rec);
            tx.put(cfMeta, stagedKey(n.ino), encodeStaged(v.number(), c.staging().path.getFileName().toString(), c.stagedRanges()));
            tx.log("write", rec, change.path(), null, v.number(), change);
            tx.commit(false);
            n.pendingMtime = 0;
            n.sealedVersion = v.number();
            n.recorded = true;
            sealedStaging.add(c.staging());
            convertLater(n);
            return v;
        } finally {
            commitLock.unlock();
        }
    }

    /** Chunks all of a node's recorded staged writes. Caller holds the node lock. */
    private void convertAll(Node n) throws IOException {
        while (n.recorded) convertSlice(n, options.dirtyLimit());
    }

    /**
     * Chunks one slice of a node's recorded staged writes: one batch moves the node's root (and
     * its pending version's root, or else its size) and records what is still staged, so that
     * the record never names bytes the root does not have on top of it.
     */
    private void convertSlice(Node n, long budget) throws IOException {
        FileContent c = n.content;
        FileContent.Plan plan = c.planFlush(budget);
        Records.InodeRec before = inode(n.ino);
        Pages.Paged paged = Pages.repaginate(before.root, c.extents(), plan.extents());
        List<PageRef> root = paged.root();
        long[] rest = c.stagedRangesAfter(plan);
        StagingFile f = c.staging();
        // The record below names what is staged, a chunk tail the plan staged included: all of
        // it in the file first (a kill after the batch must find it there).
        if (f != null) f.drain();
        // The batch drops references readers beside the slice may still follow; apply changes
        // what they read.
        if (n.readsBeside) {
            Runnable hook = slicePlanned;
            if (hook != null) hook.run();
            endSharedReads(n);
        }
        commitLock.lock();
        try (Tx tx = new Tx()) {
            Records.InodeRec rec = inode(n.ino);
            tx.content(paged.fresh(), plan.newChunks());
            tx.root(root, +1);
            tx.root(rec.root, -1);
            rec.root = root;
            if (n.sealedVersion != UNVERSIONED) {
                byte[] vk = Codec.longLongKey(n.ino, n.sealedVersion);
                byte[] vb = get(cfVersions, vk);
                if (vb != null) {
                    Records.VersionRec vr = Records.VersionRec.decode(vb);
                    tx.root(root, +1);
                    tx.root(vr.root(), -1);
                    tx.put(cfVersions, vk, new Records.VersionRec(vr.info(), root).encode());
                }
            } else {
                // Live content without a version: writes since the fsync may have grown it.
                rec.size = plan.size();
                if (n.pendingMtime != 0) {
                    rec.mtime = Math.max(rec.mtime, n.pendingMtime);
                    rec.ctime = tx.time;
                    n.pendingMtime = 0;
                }
                rec.changed = true;
            }
            tx.putInode(rec);
            if (rest.length == 0) tx.delete(cfMeta, stagedKey(n.ino));
            else tx.put(cfMeta, stagedKey(n.ino), encodeStaged(n.sealedVersion, f.path.getFileName().toString(), rest));
            tx.commit(false);

        } finally {
            commitLock.unlock();
        }
        c.apply(plan);
        plan.release();
        if (plan.complete()) {
            n.sealedVersion = 0;
            n.recorded = false;
            n.resumed = false;
            StagingFile done = c.detachEmptyStaging();
            if (done != null) {
                sealedStaging.remove(done);
                // The batch dropping the record is on disk before the file goes: else a machine
                // crash can bring the record back without its bytes. Any record of it may be on
                // disk already (settings and pack compaction write synced, memtable flushes
                // persist records), so there is no telling that none is.
                syncWal();
                done.delete();
            }
        }
    }

    /**
     * How much staged content the background cuts per hold of a node's lock. A read of the node
     * that misses the kernel's page cache waits for the slice under way: 8 MiB slices made such
     * reads wait 26 ms each on average while dd read back a 1 GiB file it had just written.
     */
    private static final long BACKGROUND_SLICE_BYTES = 2L << 20;

    private void convertLater(Node n) {
        try {
            converter.execute(() -> convertInBackground(n));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the staged writes stay recorded and are chunked when the store is next opened
        }
    }

    /**
     * The background side of staging: chunks a closed node's staged writes (or those of a synced
     * one found at open), a slice per lock hold. A synced file still being written is left staged.
     */
    private void convertInBackground(Node n) {
        while (!closed) {
            n.lock.lock();
            try {
                if (closed || !n.recorded || (n.sealedVersion == 0 && !n.resumed)) return;
                n.duringSlice = buffered(n);
                n.readsBeside = true;
                try {
                    convertSlice(n, Math.min(options.dirtyLimit(), BACKGROUND_SLICE_BYTES));
                } finally {
                    if (n.readsBeside) endSharedReads(n);
                    n.duringSlice = null;
                }
            } catch (IOException | RuntimeException e) {
                // A full disk, say: the staged writes stay where they are; the next sync,
                // write or reopen of the node tries again.
                System.err.println("semfs: chunking the staged writes of node " + n.ino + " stopped: " + e.getMessage());
                return;
            } finally {
                n.lock.unlock();
            }
            // The node lock is not fair: let waiting readers and writers in between slices.
            if (n.lock.hasQueuedThreads()) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /**
     * Forces every staging file a committed record names, and the packs: before any synced write
     * (a log sync makes every earlier record durable, not only the written one). Caller holds the
     * commit lock, so that no batch lands between the forcing and the sync.
     */
    private void forceForSync() throws IOException {
        forceStaging();
        packs.sync();
    }

    /** Forces every staging file a committed record names (before the write-ahead log is synced). */
    private void forceStaging() throws IOException {
        // One deleted meanwhile (its content in chunks now) is skipped by force; any other
        // failure, an interrupt included, fails the sync.
        for (StagingFile f : List.copyOf(sealedStaging)) f.force();
    }

    /** Makes sure version {@code number} of {@code ino} is all chunks (not staged any more). */
    private void settleVersion(long ino, long number) throws IOException {
        Node n = nodes.get(ino);
        if (n == null) return;
        n.lock.lock();
        try {
            if (n.sealedVersion == number) convertAll(n);
        } finally {
            n.lock.unlock();
        }
    }

    /** Forgets a node's in-memory content, with any staging file it has. Caller holds the node lock. */
    private void dropContent(Node n) throws IOException {
        if (n.content != null && n.content.staging() != null) {
            // A record may have named the file: the batch dropping it is on disk before the file goes.
            // The file itself is not forced first: it is thrown away.
            sealedStaging.remove(n.content.staging());
            if (n.recorded) syncWal();
            n.content.staging().delete();
        }
        n.content = null;
        n.sealedVersion = 0;
        n.recorded = false;
        n.resumed = false;
    }

    /** Commits a content plan as the node's live root; logs {@code op} if given. */
    private void store(Node n, FileContent.Plan plan, String op, Change change) throws IOException {
        store(n, plan, op, change, null);
    }

    /**
     * Commits a content plan as the node's live root, with a version of it in the same batch if
     * {@code cut} is given (and the node is linked); logs {@code op} if given. Returns the
     * version, or null.
     */
    private VersionRecord store(Node n, FileContent.Plan plan, String op, Change change, Cut cut) throws IOException {
        Records.InodeRec before = inode(n.ino); // its root is the stored form of n.content (we hold the node lock)
        Pages.Paged paged = Pages.repaginate(before.root, n.content.extents(), plan.extents());
        List<Pages.Page> pages = paged.fresh();
        List<PageRef> root = paged.root();
        commitLock.lock();
        try (Tx tx = new Tx()) {
            Records.InodeRec rec = inode(n.ino);
            tx.content(pages, plan.newChunks());
            tx.root(root, +1);
            tx.root(rec.root, -1);
            rec.root = root;
            rec.size = plan.size();
            if (n.pendingMtime != 0) {
                rec.mtime = Math.max(rec.mtime, n.pendingMtime);
                n.pendingMtime = 0;
            } else {
                rec.mtime = tx.time;
            }
            rec.ctime = tx.time;
            rec.changed = true;
            if (op != null) tx.log(op, rec, change.path(), null, 0, change);
            VersionRecord v = cut != null && rec.nlink > 0 ? cutVersion(tx, rec, cut) : null;
            tx.putInode(rec);
            tx.commit(false);
            return v;
        } finally {
            commitLock.unlock();
        }
    }

    /** Adds a version of {@code rec} to {@code tx}, logged as a write. */
    private static VersionRecord cutVersion(Tx tx, Records.InodeRec rec, Cut cut) throws IOException {
        VersionKind k = rec.latestVersion == 0 ? VersionKind.CREATE : cut.kind();
        VersionRecord v = tx.version(rec, k, cut.change(), cut.change().path());
        tx.log("write", rec, cut.change().path(), null, v.number(), cut.change());
        return v;
    }

    @Override
    public void truncate(long ino, long size, Change change) throws IOException {
        if (size < 0) throw SemfsException.invalid(change.path(), "negative size");
        Node n = node(ino);
        n.lock.lock();
        try {
            Records.InodeRec rec = fileForContent(ino);
            FileContent c = content(n, rec);
            flushLocked(n, change);
            FileContent.Plan plan = c.planTruncate(size);
            store(n, plan, "truncate", change);
            c.apply(plan);
        } finally {
            n.lock.unlock();
            evict(n);
        }
    }

    /**
     * Staged writes are made durable where they are, not chunked: the staging file is forced and
     * one batch records it as the live content (no version: versions are cut at close), then the
     * write-ahead log is synced. A closed version still staged is durable the same way already.
     */
    @Override
    public void sync(long ino) throws IOException {
        Node n = nodes.get(ino);
        if (n != null) {
            n.lock.lock();
            try {
                if (n.sealedVersion == 0) {
                    if (!recordStagedLocked(n)) flushLocked(n, Change.of("system", null));
                } // else: its record and staging file are forced below
            } finally {
                n.lock.unlock();
            }
        }
        syncWal();
    }

    /**
     * Records a linked node's staged writes, with its size and mtime, as its live content on
     * top of the stored root; false when there is nothing staged to record (the caller
     * flushes). Caller holds the node lock; the node has no sealed version.
     */
    private boolean recordStagedLocked(Node n) throws IOException {
        FileContent c = n.content;
        if (c == null || c.staging() == null || !c.hasStaged()) return false;
        StagingFile f = c.staging();
        // The bytes are on disk before any record names them.
        f.force();
        commitLock.lock();
        try (Tx tx = new Tx()) {
            Records.InodeRec rec = inode(n.ino);
            // An unlinked file's content goes at its last release, which knows of no record.
            if (rec == null || rec.nlink == 0) return false;
            rec.size = c.size();
            if (n.pendingMtime != 0) {
                rec.mtime = Math.max(rec.mtime, n.pendingMtime);
                rec.ctime = tx.time;
            }
            rec.changed = true;
            tx.putInode(rec);
            tx.put(cfMeta, stagedKey(n.ino), encodeStaged(UNVERSIONED, f.path.getFileName().toString(), c.stagedRanges()));
            tx.commit(false);
            n.pendingMtime = 0;
            n.recorded = true;
            sealedStaging.add(f);
            return true;
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * Packs (and staging files) first, then the write-ahead log: a synced batch never names bytes
     * not on disk. Under the commit lock: a batch committed between the forcing and the sync of
     * the log could name a staging file or pack bytes that were not forced.
     */
    private void syncWal() throws IOException {
        // The bulk of the forcing outside the commit lock (gigabytes of a large closed file must
        // not stall every commit); again under it, cheap by then, so that nothing committed before
        // the log's sync names bytes not forced.
        forceForSync();
        commitLock.lock();
        try {
            forceForSync();
            db.syncWal();
        } catch (RocksDBException e) {
            throw io(e);
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public void retain(long ino) throws IOException {
        Node n = node(ino);
        if (!n.lock.tryLock()) {
            // An open of a file whose close is being chunked (dd reading back what it just
            // wrote) would wait for a whole slice. The slice holds the lock and the file is live
            // under it: counting the handle while that same slice still runs is as good as
            // counting it under the lock. Else undo the count as a release would, and wait.
            Buffered during = liveSlice(n);
            if (during != null) {
                n.opens.incrementAndGet();
                if (n.duringSlice == during) return;
                release(ino);
            }
            n.lock.lock();
        }
        try {
            liveInode(ino);
            n.opens.incrementAndGet();
        } finally {
            n.lock.unlock();
        }
    }

    @Override
    public void release(long ino) throws IOException {
        Node n = nodes.get(ino);
        if (n == null) return;
        boolean counted = false;
        if (!n.lock.tryLock()) {
            // As in retain: during a slice the file is live, so its last release has nothing to
            // clean up, provided that same slice still holds the lock after the count.
            Buffered during = liveSlice(n);
            if (during != null) {
                counted = decrementOpens(n);
                if (n.duringSlice == during) return;
            }
            n.lock.lock();
        }
        try {
            if (!counted) decrementOpens(n);
            if (n.opens.get() == 0) {
                Records.InodeRec rec = inode(ino);
                if (rec != null && rec.nlink == 0 && !rec.deleted) {
                    // The last handle of an unlinked file: its live content is garbage now.
                    commitLock.lock();
                    try (Tx tx = new Tx()) {
                        tx.root(rec.root, -1);
                        rec.root = List.of();
                        rec.size = 0;
                        rec.deleted = true;
                        tx.putInode(rec);
                        tx.delete(cfMeta, Codec.utf8(ORPHAN + ino));
                        tx.delete(cfMeta, stagedKey(ino));
                        tx.commit(false);
                    } finally {
                        commitLock.unlock();
                    }
                    dropContent(n);
                    n.pendingMtime = 0;
                }
            }
        } finally {
            n.lock.unlock();
            evict(n);
        }
    }

    /**
     * The slice holding the node's lock, if one does and the file has a name (retain and release
     * may then count a handle without the lock, see {@link #retain}); else null.
     */
    private Buffered liveSlice(Node n) throws IOException {
        Buffered during = n.duringSlice;
        return during != null && liveInode(n.ino).nlink > 0 ? during : null;
    }

    private static boolean decrementOpens(Node n) {
        for (int c = n.opens.get(); c > 0; c = n.opens.get()) {
            if (n.opens.compareAndSet(c, c - 1)) return true;
        }
        return false;
    }

    @Override
    public WriteResult replace(long ino, byte[] data, boolean append, Change change) throws IOException {
        Node n = node(ino);
        n.lock.lock();
        try {
            Records.InodeRec rec = fileForContent(ino);
            if (rec.nlink == 0) throw new NoSuchFileException(change.path(), null, "file was deleted");
            FileContent c = content(n, rec);
            if (!append && c.size() > 0) {
                // Someone's writes are not a version yet (their close is still to come):
                // keep them as one before replacing them, so neither writer's work is lost.
                String author = n.lastWriter != null ? n.lastWriter : change.agent();
                flushLocked(n, change, new Cut(VersionKind.WRITE, new Change(author, change.via(), "before overwrite", change.path(), null), false));
            } else {
                flushLocked(n, change);
            }
            // The new content, its size and its version go in one batch: a kill leaves the old
            // file or the new one, never one cut to nothing.
            if (!append) c.reset(List.of());
            c.write(append ? c.size() : 0, data, 0, data.length);
            n.pendingMtime = now();
            FileContent.Plan plan = c.planFlush(); // buffered writes only: one plan
            VersionRecord v;
            try {
                // An identical rewrite is still a save: it gets its version.
                v = store(n, plan, null, change, new Cut(VersionKind.WRITE, change, true));
            } catch (IOException | RuntimeException e) {
                n.content = null; // not stored: what is stored is the content
                n.pendingMtime = 0;
                throw e;
            }
            c.apply(plan);
            plan.release();
            if (v == null) throw new NoSuchFileException(change.path(), null, "file was deleted");
            return new WriteResult(inode(ino).toInode(), v);
        } finally {
            n.lock.unlock();
            evict(n);
        }
    }

    @Override
    public Optional<VersionRecord> commit(long ino, VersionKind kind, Change change) throws IOException {
        Node n = node(ino);
        n.lock.lock();
        try {
            Records.InodeRec current = inode(ino);
            if (current == null || current.nlink == 0) return Optional.empty();
            // A version still being chunked is final: nothing was written since it was cut.
            if (n.sealedVersion != 0 && !current.changed && n.pendingMtime == 0) return Optional.empty();
            if (n.sealedVersion == 0 && n.content != null && n.content.staging() != null && n.content.hasStaged()) {
                return Optional.of(sealLocked(n, kind, change));
            }
            return flushLocked(n, change, new Cut(kind, change, false));
        } finally {
            n.lock.unlock();
            evict(n);
        }
    }

    /**
     * Stores a flushed node's pending mtime and, with a {@code cut}, a version of the node if it
     * changed (or, with {@link Cut#evenIfUnchanged}, if it is linked at all), in one batch.
     * Caller holds the node lock.
     */
    private Optional<VersionRecord> commitLocked(Node n, Cut cut) throws IOException {
        commitLock.lock();
        try (Tx tx = new Tx()) {
            Records.InodeRec rec = inode(n.ino);
            boolean touched = rec != null && n.pendingMtime > rec.mtime;
            if (touched) {
                rec.mtime = rec.ctime = n.pendingMtime;
                rec.changed = true;
            }
            VersionRecord v = cut != null && rec != null && rec.nlink > 0 && (rec.changed || cut.evenIfUnchanged())
                    ? cutVersion(tx, rec, cut) : null;
            if (touched || v != null) {
                tx.putInode(rec);
                tx.commit(false);
            }
            n.pendingMtime = 0;
            return Optional.ofNullable(v);
        } finally {
            commitLock.unlock();
        }
    }

    // ==========================================================================================
    // extended attributes
    // ==========================================================================================

    @Override
    public Map<String, byte[]> xattrs(long ino) throws IOException {
        liveInode(ino);
        Map<String, byte[]> out = new TreeMap<>();
        scan(cfXattrs, Codec.longKey(ino), null, (k, v) -> {
            out.put(new String(k, 8, k.length - 8, StandardCharsets.UTF_8), v);
            return true;
        });
        return out;
    }

    @Override
    public void setXattr(long ino, String name, byte[] value, Change change) throws IOException {
        if (name == null || name.isEmpty() || name.length() > 255) throw SemfsException.invalid(change.path(), "invalid attribute name");
        if (value.length > 64 * 1024) throw new SemfsException(ErrorCode.TOO_LARGE, change.path(), "attribute value over 64 KiB");
        commitLock.lock();
        try (Tx tx = new Tx()) {
            Records.InodeRec rec = liveInode(ino);
            tx.put(cfXattrs, Codec.longStringKey(ino, name), value);
            rec.ctime = tx.time;
            tx.putInode(rec);
            tx.log("xattr", rec, change.path(), name, 0, change);
            tx.commit(false);
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public void removeXattr(long ino, String name, Change change) throws IOException {
        commitLock.lock();
        try (Tx tx = new Tx()) {
            Records.InodeRec rec = liveInode(ino);
            if (get(cfXattrs, Codec.longStringKey(ino, name)) == null) {
                throw new SemfsException(ErrorCode.NOT_FOUND, change.path(), "no attribute " + name);
            }
            tx.delete(cfXattrs, Codec.longStringKey(ino, name));
            rec.ctime = tx.time;
            tx.putInode(rec);
            tx.log("xattr", rec, change.path(), name, 0, change);
            tx.commit(false);
        } finally {
            commitLock.unlock();
        }
    }

    // ==========================================================================================
    // history
    // ==========================================================================================

    @Override
    public List<VersionRecord> versions(long ino) throws IOException {
        List<VersionRecord> out = new ArrayList<>();
        scan(cfVersions, Codec.longKey(ino), null, (k, v) -> {
            out.add(Records.VersionRec.decode(v).info());
            return true;
        });
        return out;
    }

    private Records.VersionRec versionRec(long ino, long number) throws IOException {
        byte[] v = get(cfVersions, Codec.longLongKey(ino, number));
        if (v == null) throw new NoSuchFileException("#" + ino, null, "no version " + number);
        return Records.VersionRec.decode(v);
    }

    @Override
    public VersionRecord version(long ino, long number) throws IOException {
        return versionRec(ino, number).info();
    }

    private static String versionReaderKey(long ino, long number) {
        return ino + "@" + number;
    }

    private final Map<String, FileContent> versionReaders = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, FileContent> eldest) {
                    return size() > 32;
                }
            });

    @Override
    public int readVersion(long ino, long number, long offset, byte[] buf, int off, int len) throws IOException {
        Node live = nodes.get(ino);
        if (live != null) {
            // The version cut at a close whose writes are still staged is the live content (the
            // version's root is written by the slices chunking it), read beside a slice under way.
            boolean locked = live.lock.tryLock();
            if (!locked) {
                int read = besideSlice(live, c -> live.sealedVersion == number ? Math.max(0, c.read(offset, buf, off, len)) : NOT_LIVE);
                if (read >= 0) return read;
                if (read == WAIT) {
                    live.lock.lock();
                    locked = true;
                }
            }
            if (locked) {
                try {
                    if (live.sealedVersion == number) return live.content.read(offset, buf, off, len);
                } finally {
                    live.lock.unlock();
                }
            }
        }
        String key = versionReaderKey(ino, number);
        FileContent c = versionReaders.get(key);
        if (c == null) {
            c = new FileContent(cdc, chunkReader, loadExtents(versionRec(ino, number).root()));
            versionReaders.put(key, c);
        }
        synchronized (c) {
            return c.read(offset, buf, off, len);
        }
    }

    private static byte[] pathVersionKey(String path, long number) {
        return Codec.concat(Codec.concat(Codec.utf8(path), new byte[]{0}), Codec.longKey(number));
    }

    private static PathVersion decodePathVersion(byte[] k, byte[] v) {
        int zero = k.length - 9;
        return new PathVersion(new String(k, 0, zero, StandardCharsets.UTF_8), Codec.getLong(k, zero + 1),
                Codec.getLong(v, 0), Codec.getLong(v, 8), Codec.getLong(v, 16), VersionKind.values()[v[24]]);
    }

    @Override
    public List<PathVersion> pathHistory(String path) throws IOException {
        List<PathVersion> out = new ArrayList<>();
        scan(cfPathVersions, Codec.concat(Codec.utf8(path), new byte[]{0}), null, (k, v) -> {
            out.add(decodePathVersion(k, v));
            return true;
        });
        return out;
    }

    @Override
    public Optional<PathVersion> latestPathVersion(String path) throws IOException {
        Optional<PathVersion> cached = latestPaths.get(path);
        if (cached != null) return cached;
        long epoch = pathEpoch.get();
        Optional<PathVersion> found = seekLatestPathVersion(path);
        if (latestPaths.size() >= LATEST_PATHS_MAX) latestPaths.clear();
        // Kept only if no commit added to any path's history since the seek began; a commit
        // moves the epoch before it drops its paths, so this either sees the move or is dropped.
        latestPaths.compute(path, (k, old) -> pathEpoch.get() == epoch ? found : old);
        return found;
    }

    /**
     * The newest entry of each path's history asked for lately: every stat and every listed
     * entry asks (a FileInfo carries it), and a RocksDB seek cost more than the rest of a stat.
     * Entries are only ever appended, by {@link Tx#pathEntry}, and each commit that appends
     * drops its paths here.
     */
    private final ConcurrentHashMap<String, Optional<PathVersion>> latestPaths = new ConcurrentHashMap<>();
    private final AtomicLong pathEpoch = new AtomicLong();
    private static final int LATEST_PATHS_MAX = 100_000;

    private Optional<PathVersion> seekLatestPathVersion(String path) throws IOException {
        byte[] prefix = Codec.concat(Codec.utf8(path), new byte[]{0});
        try (RocksIterator it = db.newIterator(cfPathVersions)) {
            it.seekForPrev(Codec.concat(prefix, Codec.longKey(-1L)));
            if (it.isValid() && Codec.startsWith(it.key(), prefix) && it.key().length == prefix.length + 8) {
                return Optional.of(decodePathVersion(it.key(), it.value()));
            }
        }
        return Optional.empty();
    }

    @Override
    public Map<String, List<PathVersion>> pathHistoriesUnder(String prefix) throws IOException {
        Map<String, List<PathVersion>> out = new TreeMap<>();
        String base = prefix.equals("/") ? "/" : prefix;
        scan(cfPathVersions, Codec.utf8(base), null, (k, v) -> {
            PathVersion pv = decodePathVersion(k, v);
            if (base.equals("/") || pv.path().equals(base) || pv.path().startsWith(base + "/")) {
                out.computeIfAbsent(pv.path(), p -> new ArrayList<>()).add(pv);
            }
            return true;
        });
        return out;
    }

    @Override
    public VersionRecord restoreVersion(long targetIno, long srcIno, long srcVersion, VersionKind kind, Change change)
            throws IOException {
        settleVersion(srcIno, srcVersion);
        Records.VersionRec src = versionRec(srcIno, srcVersion);
        if (src.info().isTombstone()) throw SemfsException.invalid(change.path(), "version " + srcVersion + " is a deletion");
        Node n = node(targetIno);
        n.lock.lock();
        try {
            flushLocked(n, change);
            commitLock.lock();
            try (Tx tx = new Tx()) {
                Records.InodeRec rec = liveInode(targetIno);
                if (rec.nlink == 0) throw new NoSuchFileException(change.path());
                if (rec.type != src.info().type()) {
                    throw SemfsException.invalid(change.path(), "cannot restore a " + src.info().type().name().toLowerCase()
                            + " version over a " + rec.type.name().toLowerCase());
                }
                if (rec.changed && rec.type == FileType.FILE) {
                    // Rollback never loses work: what is live now becomes a version first.
                    tx.version(rec, rec.latestVersion == 0 ? VersionKind.CREATE : VersionKind.WRITE,
                            change.withReason("before " + kind.name().toLowerCase()), change.path());
                }
                tx.root(src.root(), +1);
                tx.root(rec.root, -1);
                rec.root = src.root();
                rec.size = src.info().size();
                rec.mode = src.info().mode();
                rec.symlinkTarget = src.info().symlinkTarget();
                rec.mtime = rec.ctime = tx.time;
                VersionRecord v = tx.version(rec, kind, change, change.path());
                tx.putInode(rec);
                tx.log(kind == VersionKind.RESTORE ? "restore" : "rollback", rec, change.path(), null, v.number(), change);
                tx.commit(false);
                if (n.content != null) n.content.reset(loadExtents(rec.root));
                n.pendingMtime = 0;
                return v;
            } finally {
                commitLock.unlock();
            }
        } finally {
            n.lock.unlock();
            evict(n);
        }
    }

    @Override
    public Inode revive(long srcIno, long srcVersion, long parent, String name, VersionKind kind, Change change)
            throws IOException {
        checkName(name);
        settleVersion(srcIno, srcVersion);
        Records.VersionRec src = versionRec(srcIno, srcVersion);
        if (src.info().isTombstone()) throw SemfsException.invalid(change.path(), "version " + srcVersion + " is a deletion");
        // The node may come back as itself: its cached content (of the deleted state) must go.
        Node cached = node(srcIno);
        cached.lock.lock();
        try {
            return reviveLocked(cached, src, parent, name, kind, change);
        } finally {
            cached.lock.unlock();
        }
    }

    private Inode reviveLocked(Node cached, Records.VersionRec src, long parent, String name, VersionKind kind,
                               Change change) throws IOException {
        long srcIno = src.info().ino();
        commitLock.lock();
        try (Tx tx = new Tx()) {
            Records.InodeRec dirRec = directory(parent);
            if (dirent(parent, name) != null) throw new FileAlreadyExistsException(change.path());
            Records.InodeRec old = inode(srcIno);
            Records.InodeRec rec;
            if (old != null && old.deleted && old.nlink == 0 && !isOpen(srcIno)) {
                rec = old; // the deleted node comes back, its history continuing
            } else {
                rec = new Records.InodeRec();
                rec.ino = nextIno.getAndIncrement();
                rec.birth = tx.time;
                rec.uid = old == null ? 0 : old.uid;
                rec.gid = old == null ? 0 : old.gid;
            }
            VersionRecord info = src.info();
            rec.type = info.type();
            rec.deleted = false;
            rec.nlink = rec.type == FileType.DIRECTORY ? 2 : 1;
            rec.parent = parent;
            rec.mode = info.mode();
            rec.symlinkTarget = info.symlinkTarget();
            tx.root(src.root(), +1);
            rec.root = src.root();
            rec.size = info.size();
            rec.atime = rec.mtime = rec.ctime = tx.time;
            VersionRecord v = tx.version(rec, kind, change, change.path());
            tx.putInode(rec);
            tx.put(cfDirents, direntKey(parent, name), direntValue(rec.ino, rec.type));
            if (rec.type == FileType.DIRECTORY) dirRec.nlink++;
            dirRec.mtime = dirRec.ctime = tx.time;
            tx.putInode(dirRec);
            tx.log(kind == VersionKind.RESTORE ? "restore" : "rollback", rec, change.path(), null, v.number(), change);
            tx.commit(false);
            if (rec.ino == cached.ino) {
                dropContent(cached);
                cached.pendingMtime = 0;
            }
            return rec.toInode();
        } finally {
            commitLock.unlock();
        }
    }

    // ==========================================================================================
    // snapshots
    // ==========================================================================================

    @Override
    public SnapshotRecord snapshot(String name, Change change) throws IOException {
        // First make every changed file a version, so the snapshot can refer to versions only.
        List<SnapshotEntry> entries = new ArrayList<>();
        ArrayDeque<Map.Entry<Long, String>> todo = new ArrayDeque<>();
        todo.add(Map.entry(ROOT, ""));
        while (!todo.isEmpty()) {
            Map.Entry<Long, String> d = todo.poll();
            for (DirEntry e : list(d.getKey())) {
                String path = d.getValue() + "/" + e.name();
                if (e.type() == FileType.DIRECTORY) todo.add(Map.entry(e.ino(), path));
                if (e.type() == FileType.FILE) commit(e.ino(), VersionKind.SNAPSHOT, change.withPath(path).withReason("snapshot"));
            }
        }
        commitLock.lock();
        try (Tx tx = new Tx()) {
            long id = nextSnapshot.get();
            todo.add(Map.entry(ROOT, ""));
            while (!todo.isEmpty()) {
                Map.Entry<Long, String> d = todo.poll();
                for (DirEntry e : list(d.getKey())) {
                    String path = d.getValue() + "/" + e.name();
                    Records.InodeRec rec = inode(e.ino());
                    if (e.type() == FileType.DIRECTORY) todo.add(Map.entry(e.ino(), path));
                    if (rec.latestVersion == 0 || rec.changed) {
                        tx.version(rec, rec.latestVersion == 0 ? VersionKind.CREATE : VersionKind.SNAPSHOT,
                                change.withReason("snapshot"), path);
                        tx.putInode(rec);
                    }
                    SnapshotEntry entry = new SnapshotEntry(path, rec.ino, rec.latestVersion, rec.type, rec.size,
                            rec.mode, rec.uid, rec.gid, rec.mtime, rec.symlinkTarget);
                    entries.add(entry);
                    tx.put(cfSnapEntries, Codec.concat(Codec.longKey(id), Codec.utf8(path)), Records.encodeSnapshotEntry(entry));
                    byte[] pin = Codec.longLongKey(rec.ino, rec.latestVersion);
                    byte[] cur = get(cfPins, pin);
                    long pins = cur == null ? 0 : new Codec.In(cur).varlong();
                    tx.put(cfPins, pin, new Codec.Out().varlong(pins + 1).toBytes());
                }
            }
            String snapName = name == null || name.isBlank() ? "snap-" + id : name;
            SnapshotRecord record = new SnapshotRecord(id, snapName, tx.time, entries.size(), change.agent());
            tx.put(cfSnapshots, Codec.longKey(id), Records.encodeSnapshot(record));
            tx.log("snapshot", null, "/", snapName, 0, change);
            tx.commit(true);
            nextSnapshot.incrementAndGet();
            return record;
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public List<SnapshotRecord> snapshots() throws IOException {
        List<SnapshotRecord> out = new ArrayList<>();
        scan(cfSnapshots, new byte[0], null, (k, v) -> {
            out.add(Records.decodeSnapshot(v));
            return true;
        });
        return out;
    }

    @Override
    public SnapshotRecord snapshot(String idOrName) throws IOException {
        SnapshotRecord found = null;
        for (SnapshotRecord s : snapshots()) {
            if (s.name().equals(idOrName) || String.valueOf(s.id()).equals(idOrName)) found = s;
        }
        if (found == null) throw new NoSuchFileException(idOrName, null, "no such snapshot");
        return found;
    }

    @Override
    public List<SnapshotEntry> snapshotEntries(long snapshotId, String prefix) throws IOException {
        List<SnapshotEntry> out = new ArrayList<>();
        String base = prefix == null || prefix.equals("/") ? "" : prefix;
        scan(cfSnapEntries, Codec.concat(Codec.longKey(snapshotId), Codec.utf8(base)), null, (k, v) -> {
            SnapshotEntry e = Records.decodeSnapshotEntry(v);
            if (base.isEmpty() || e.path().equals(base) || e.path().startsWith(base + "/")) out.add(e);
            return true;
        });
        return out;
    }

    // ==========================================================================================
    // change log and settings
    // ==========================================================================================

    @Override
    public List<ChangeRecord> changes(long afterSeq, int max) throws IOException {
        List<ChangeRecord> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator(cfChanges)) {
            for (it.seek(Codec.longKey(afterSeq + 1)); it.isValid() && out.size() < max; it.next()) {
                out.add(Records.decodeChange(it.value()));
            }
        }
        return out;
    }

    /** Operation names only the store itself logs. */
    private static final java.util.Set<String> STORE_OPS = java.util.Set.of("create", "mkdir", "symlink", "link",
            "write", "truncate", "setattr", "version", "delete", "rmdir", "rename", "rollback", "restore", "snapshot", "xattr");

    @Override
    public ChangeRecord appendChange(String op, String path, String toPath, long version, Change change) throws IOException {
        if (op == null || op.isBlank() || STORE_OPS.contains(op)) {
            throw SemfsException.invalid(path, "cannot append a change record named " + op + "; only the store logs its own operations");
        }
        commitLock.lock();
        try (Tx tx = new Tx()) {
            tx.changes.add(new ChangeRecord(0, tx.time, op, 0, null, path, toPath, version, change.agent(), change.via(),
                    change.reason()));
            return tx.commit(false).getFirst();
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public long lastChangeSeq() {
        return nextSeq.get() - 1;
    }

    @Override
    public Optional<byte[]> getSetting(String key) throws IOException {
        return Optional.ofNullable(get(cfSettings, Codec.utf8(key)));
    }

    @Override
    public void putSetting(String key, byte[] value) throws IOException {
        commitLock.lock();
        try {
            forceForSync();
            db.put(cfSettings, syncWrite, Codec.utf8(key), value);
        } catch (RocksDBException e) {
            throw io(e);
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public void deleteSetting(String key) throws IOException {
        commitLock.lock();
        try {
            forceForSync();
            db.delete(cfSettings, syncWrite, Codec.utf8(key));
        } catch (RocksDBException e) {
            throw io(e);
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public Map<String, byte[]> settings(String prefix) throws IOException {
        return settingsIn(cfSettings, prefix);
    }

    private Map<String, byte[]> settingsIn(ColumnFamilyHandle cf, String prefix) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        scan(cf, Codec.utf8(prefix), null, (k, v) -> {
            out.put(new String(k, StandardCharsets.UTF_8), v);
            return true;
        });
        return out;
    }

    // ==========================================================================================
    // maintenance
    // ==========================================================================================

    @Override
    public GcReport gc(RetentionPolicy policy) throws IOException {
        long start = System.nanoTime();
        long dropped = applyRetention(policy);
        long[] swept = sweep();
        compact();
        return new GcReport(dropped, swept[0], swept[1], System.nanoTime() - start);
    }

    private long applyRetention(RetentionPolicy policy) throws IOException {
        if (policy instanceof RetentionPolicy.KeepAll) return 0;
        long now = now();
        Map<Long, List<VersionRecord>> byNode = new LinkedHashMap<>();
        scan(cfVersions, new byte[0], null, (k, v) -> {
            VersionRecord r = Records.VersionRec.decode(v).info();
            byNode.computeIfAbsent(r.ino(), x -> new ArrayList<>()).add(r);
            return true;
        });
        long dropped = 0;
        for (Map.Entry<Long, List<VersionRecord>> e : byNode.entrySet()) {
            List<VersionRecord> drop = Retention.droppable(policy, e.getValue(), now);
            if (drop.isEmpty()) continue;
            List<String> readers = new ArrayList<>();
            commitLock.lock();
            try (Tx tx = new Tx()) {
                Records.InodeRec rec = inode(e.getKey());
                for (VersionRecord v : drop) {
                    if (rec != null && v.number() == rec.latestVersion) continue;
                    if (get(cfPins, Codec.longLongKey(v.ino(), v.number())) != null) continue;
                    byte[] key = Codec.longLongKey(v.ino(), v.number());
                    byte[] body = get(cfVersions, key);
                    if (body == null) continue;
                    tx.root(Records.VersionRec.decode(body).root(), -1);
                    tx.delete(cfVersions, key);
                    readers.add(versionReaderKey(v.ino(), v.number()));
                    dropped++;
                }
                tx.commit(false);
                // A reader cached before would read chunks the sweep is about to delete.
                readers.forEach(versionReaders::remove);
            } finally {
                commitLock.unlock();
            }
        }
        return dropped;
    }

    /** Deletes objects whose count is zero: pages first (releasing their chunks), then chunks. */
    private long[] sweep() throws IOException {
        long chunks = 0, bytes = 0;
        for (int round = 0; round < 1000; round++) {
            List<byte[]> zeros = new ArrayList<>();
            scan(cfZero, new byte[0], null, (k, v) -> {
                zeros.add(k);
                return zeros.size() < 4096;
            });
            if (zeros.isEmpty()) break;
            boolean pagesLeft = zeros.stream().anyMatch(k -> k[0] == KIND_PAGE);
            commitLock.lock();
            try (Tx tx = new Tx()) {
                for (byte[] zk : zeros) {
                    if (pagesLeft && zk[0] != KIND_PAGE) continue;
                    byte[] cur = get(cfRefs, zk);
                    if (cur == null || new Codec.In(cur).varlong() != 0) { // revived since
                        tx.delete(cfZero, zk);
                        continue;
                    }
                    byte[] hash = Arrays.copyOfRange(zk, 1, zk.length);
                    if (zk[0] == KIND_PAGE) {
                        byte[] body = get(cfPages, hash);
                        if (body != null) {
                            for (Extent x : Pages.decodePage(body)) {
                                if (!x.isHole()) tx.chunkDeltas.merge(new FileContent.Key(x.hash()), -1L, Long::sum);
                            }
                        }
                        tx.delete(cfPages, hash);
                    } else {
                        byte[] loc = get(cfChunkLoc, hash);
                        if (loc != null) bytes += PackStore.Loc.decode(loc).length();
                        tx.delete(cfChunkLoc, hash);
                        cache.remove(hash);
                        chunks++;
                    }
                    tx.delete(cfRefs, zk);
                    tx.delete(cfZero, zk);
                }
                tx.commit(false);
            } finally {
                commitLock.unlock();
            }
        }
        return new long[]{chunks, bytes};
    }

    /** Rewrites packs that are mostly garbage, then compacts the metadata. */
    private void compact() throws IOException {
        compactPacks();
        try {
            for (ColumnFamilyHandle h : handles) db.compactRange(h);
        } catch (RocksDBException e) {
            throw io(e);
        }
    }

    private void compactPacks() throws IOException {
        Map<Integer, Long> live = new HashMap<>();
        scan(cfChunkLoc, new byte[0], null, (k, v) -> {
            PackStore.Loc loc = PackStore.Loc.decode(v);
            live.merge(loc.pack(), (long) loc.length() + Hashes.LENGTH + 4, Long::sum);
            return true;
        });
        int current = packs.currentPack();
        Long currentSize = packs.sizes().get(current);
        if (currentSize != null && live.getOrDefault(current, 0L) * 2 <= currentSize) {
            packs.rollOver(); // mostly garbage: seal it so it can be compacted below
            current = packs.currentPack();
        }
        for (Map.Entry<Integer, Long> pack : packs.sizes().entrySet()) {
            int id = pack.getKey();
            if (id == current || live.getOrDefault(id, 0L) * 2 > pack.getValue()) continue;
            commitLock.lock();
            try (WriteBatch batch = new WriteBatch()) {
                List<byte[]> keys = new ArrayList<>();
                List<PackStore.Loc> locs = new ArrayList<>();
                scan(cfChunkLoc, new byte[0], null, (k, v) -> {
                    PackStore.Loc loc = PackStore.Loc.decode(v);
                    if (loc.pack() == id) {
                        keys.add(k);
                        locs.add(loc);
                    }
                    return true;
                });
                for (int i = 0; i < keys.size(); i++) {
                    byte[] data = packs.read(locs.get(i));
                    batch.put(cfChunkLoc, keys.get(i), packs.append(keys.get(i), data).encode());
                }
                forceForSync();
                db.write(syncWrite, batch);
                packs.delete(id);
            } catch (RocksDBException e) {
                throw io(e);
            } finally {
                commitLock.unlock();
            }
        }
    }

    @Override
    public CheckReport check() throws IOException {
        syncAll();
        List<String> problems = new ArrayList<>();
        Map<FileContent.Key, Long> pageRefs = new HashMap<>();
        Map<FileContent.Key, Long> chunkRefs = new HashMap<>();
        long[] counts = new long[4]; // inodes, versions, chunks, pages
        try (Snapshot snap = db.getSnapshot(); ReadOptions ro = new ReadOptions().setSnapshot(snap)) {
            // Closed files whose writes are still being chunked (closed after the sync above).
            Map<Long, Staged> staged = new HashMap<>();
            scan(cfMeta, Codec.utf8(STAGED), ro, (k, v) -> {
                staged.put(Long.parseLong(new String(k, StandardCharsets.UTF_8).substring(STAGED.length())), Staged.decode(v));
                return true;
            });
            Map<Long, Records.InodeRec> inodes = new HashMap<>();
            scan(cfInodes, new byte[0], ro, (k, v) -> {
                Records.InodeRec r = Records.InodeRec.decode(v);
                inodes.put(r.ino, r);
                for (PageRef p : r.root) pageRefs.merge(new FileContent.Key(p.hash()), 1L, Long::sum);
                Staged st = staged.get(r.ino);
                if (st != null) {
                    long end = st.ranges().length == 0 ? 0 : st.ranges()[st.ranges().length - 1];
                    if (rootSize(r.root) > r.size || end > r.size) {
                        problems.add("node " + r.ino + ": size " + r.size + " but content covers " + rootSize(r.root)
                                + " stored and " + end + " staged");
                    }
                    if (st.version() != UNVERSIONED && st.version() != r.latestVersion) {
                        problems.add("node " + r.ino + ": staged writes of version " + st.version() + " but the latest is " + r.latestVersion);
                    }
                    if (!Files.exists(stagingDir.resolve(st.file()))) problems.add("node " + r.ino + ": staging file " + st.file() + " is missing");
                } else if (r.type == FileType.FILE && rootSize(r.root) != r.size) {
                    problems.add("node " + r.ino + ": size " + r.size + " but content covers " + rootSize(r.root));
                }
                counts[0]++;
                return true;
            });
            Map<Long, Long> maxVersion = new HashMap<>();
            scan(cfVersions, new byte[0], ro, (k, v) -> {
                Records.VersionRec r = Records.VersionRec.decode(v);
                for (PageRef p : r.root()) pageRefs.merge(new FileContent.Key(p.hash()), 1L, Long::sum);
                maxVersion.merge(r.info().ino(), r.info().number(), Math::max);
                if (!inodes.containsKey(r.info().ino())) problems.add("version " + r.info().number() + " of missing node " + r.info().ino());
                counts[1]++;
                return true;
            });
            for (Records.InodeRec r : inodes.values()) {
                long max = maxVersion.getOrDefault(r.ino, 0L);
                if (max != r.latestVersion) problems.add("node " + r.ino + ": latest version " + r.latestVersion + " but " + max + " stored");
            }
            Map<Long, Long> links = new HashMap<>();
            Map<Long, Long> subdirs = new HashMap<>();
            scan(cfDirents, new byte[0], ro, (k, v) -> {
                long parent = Codec.getLong(k, 0);
                long child = Codec.getLong(v, 0);
                Records.InodeRec c = inodes.get(child);
                if (c == null || c.deleted) {
                    problems.add("entry " + new String(k, 8, k.length - 8, StandardCharsets.UTF_8) + " in " + parent + " names missing node " + child);
                } else if (c.type == FileType.DIRECTORY) {
                    subdirs.merge(parent, 1L, Long::sum);
                    if (c.parent != parent) problems.add("directory " + child + " is in " + parent + " but says its parent is " + c.parent);
                } else {
                    links.merge(child, 1L, Long::sum);
                }
                return true;
            });
            for (Records.InodeRec r : inodes.values()) {
                if (r.deleted) continue;
                long expected = r.type == FileType.DIRECTORY ? 2 + subdirs.getOrDefault(r.ino, 0L) : links.getOrDefault(r.ino, 0L);
                if (r.nlink != expected && !(r.nlink == 0 && r.type != FileType.DIRECTORY)) {
                    problems.add("node " + r.ino + ": link count " + r.nlink + " but " + expected + " entries");
                }
            }
            scan(cfPages, new byte[0], ro, (k, v) -> {
                counts[3]++;
                if (!Arrays.equals(k, Hashes.sha256(v, 0, v.length))) problems.add("page " + Hashes.hex(k) + " does not match its hash");
                for (Extent x : Pages.decodePage(v)) {
                    if (!x.isHole()) chunkRefs.merge(new FileContent.Key(x.hash()), 1L, Long::sum);
                }
                return true;
            });
            checkRefs(ro, KIND_PAGE, pageRefs, cfPages, problems);
            checkRefs(ro, KIND_CHUNK, chunkRefs, cfChunkLoc, problems);
            scan(cfChunkLoc, new byte[0], ro, (k, v) -> {
                counts[2]++;
                byte[] data;
                try {
                    data = packs.read(PackStore.Loc.decode(v));
                } catch (IOException e) {
                    problems.add("chunk " + Hashes.hex(k) + " cannot be read: " + e.getMessage());
                    return true;
                }
                if (!Arrays.equals(k, Hashes.sha256(data, 0, data.length))) problems.add("chunk " + Hashes.hex(k) + " does not match its hash");
                return true;
            });
        }
        return new CheckReport(List.copyOf(problems), counts[0], counts[1], counts[2], counts[3]);
    }

    private void checkRefs(ReadOptions ro, byte kind, Map<FileContent.Key, Long> expected, ColumnFamilyHandle bodies,
                           List<String> problems) throws IOException {
        String what = kind == KIND_PAGE ? "page" : "chunk";
        Set<FileContent.Key> seen = new HashSet<>();
        scan(cfRefs, new byte[]{kind}, ro, (k, v) -> {
            FileContent.Key key = new FileContent.Key(Arrays.copyOfRange(k, 1, k.length));
            seen.add(key);
            long stored = new Codec.In(v).varlong();
            long actual = expected.getOrDefault(key, 0L);
            if (stored != actual) problems.add(what + " " + Hashes.hex(key.hash()) + ": count " + stored + " but " + actual + " references");
            if (stored == 0 && getAt(cfZero, ro, k) == null) problems.add(what + " " + Hashes.hex(key.hash()) + ": unreferenced but not marked as garbage");
            if (getAt(bodies, ro, key.hash()) == null) problems.add(what + " " + Hashes.hex(key.hash()) + " is counted but missing");
            return true;
        });
        for (Map.Entry<FileContent.Key, Long> e : expected.entrySet()) {
            if (!seen.contains(e.getKey())) problems.add(what + " " + Hashes.hex(e.getKey().hash()) + " is referenced " + e.getValue() + " times but not counted");
        }
        scan(bodies, new byte[0], ro, (k, v) -> {
            if (!seen.contains(new FileContent.Key(k))) problems.add(what + " " + Hashes.hex(k) + " is stored but not counted");
            return true;
        });
    }

    @Override
    public StoreStats stats() throws IOException {
        long[] c = new long[4];
        scan(cfInodes, new byte[0], null, (k, v) -> {
            Records.InodeRec r = Records.InodeRec.decode(v);
            if (!r.deleted && r.nlink > 0) c[r.type.ordinal()]++;
            return true;
        });
        long versions, chunks, chunkBytes;
        try {
            versions = db.getLongProperty(cfVersions, "rocksdb.estimate-num-keys");
            chunks = db.getLongProperty(cfChunkLoc, "rocksdb.estimate-num-keys");
            chunkBytes = packs.totalBytes();
        } catch (RocksDBException e) {
            throw io(e);
        }
        return new StoreStats(c[0], c[1], c[2], versions, chunks, chunkBytes, snapshots().size(), lastChangeSeq(), diskBytes());
    }

    /** Packs plus the live table files of every column family: what the data takes, without logs. */
    private long diskBytes() throws IOException {
        long total = packs.totalBytes();
        if (Files.isDirectory(stagingDir)) {
            try (java.util.stream.Stream<Path> files = Files.list(stagingDir)) {
                for (Path p : files.toList()) {
                    try {
                        total += Files.size(p); // sparse files count at their full size: an upper bound
                    } catch (IOException e) {
                        // chunked and deleted meanwhile
                    }
                }
            }
        }
        try {
            for (ColumnFamilyHandle h : handles) {
                total += db.getLongProperty(h, "rocksdb.live-sst-files-size");
                total += db.getLongProperty(h, "rocksdb.live-blob-file-size");
            }
        } catch (RocksDBException e) {
            throw io(e);
        }
        return total;
    }

    @Override
    public void syncAll() throws IOException {
        for (Node n : List.copyOf(nodes.values())) {
            n.lock.lock();
            try {
                flushLocked(n, Change.of("system", null));
            } finally {
                n.lock.unlock();
            }
        }
        syncWal();
    }

    @Override
    public void settle() throws IOException {
        for (Node n : List.copyOf(nodes.values())) {
            if (n.sealedVersion == 0 && !n.resumed) continue;
            n.lock.lock();
            try {
                if (n.sealedVersion != 0 || n.resumed) convertAll(n);
            } finally {
                n.lock.unlock();
            }
        }
    }

    /** Work on the store's files (a test copying them as a kill would leave them). */
    @FunctionalInterface
    interface FileWork {
        void run() throws IOException;
    }

    /** Runs {@code work} while RocksDB flushes, compacts and deletes no file, so the files hold still. */
    void withFilesStill(FileWork work) throws IOException {
        try {
            db.pauseBackgroundWork();
            try {
                work.run();
            } finally {
                db.continueBackgroundWork();
            }
        } catch (RocksDBException e) {
            throw io(e);
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        try {
            syncAll();
        } finally {
            closed = true;
            converter.shutdown();
            try {
                if (!converter.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)) converter.shutdownNow();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (StagingFile f : sealedStaging) closeQuietly(f);
            closeDb();
        }
    }

    private void closeDb() {
        try {
            packs.close();
        } catch (IOException e) {
            // packs were synced by syncAll; a failing close changes nothing on disk
        }
        for (ColumnFamilyHandle h : handles) h.close();
        db.close();
        asyncWrite.close();
        syncWrite.close();
        for (AutoCloseable r : resources) closeQuietly(r);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing native options cannot fail in a way we could act on
        }
    }
}
