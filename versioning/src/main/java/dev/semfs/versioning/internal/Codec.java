package dev.semfs.versioning.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Compact binary encoding helpers: big-endian fixed longs for keys, varints for values. */
final class Codec {
    private Codec() {}

    static byte[] longKey(long v) {
        byte[] b = new byte[8];
        putLong(b, 0, v);
        return b;
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static byte[] longLongKey(long a, long b) {
        byte[] k = new byte[16];
        putLong(k, 0, a);
        putLong(k, 8, b);
        return k;
    }

    static byte[] longStringKey(long a, String s) {
        return concat(longKey(a), utf8(s));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Smallest key greater than every key starting with {@code prefix}, or null if none. */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Growable output buffer. */
    static final class Out {
        private byte[] buf = new byte[64];
        private int n;

        Out byte1(int v) {
            ensure(1);
            buf[n++] = (byte) v;
            return this;
        }

        Out varlong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[n++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[n++] = (byte) v;
            return this;
        }

        /** Zig-zag encoded, for values that may be negative. */
        Out svarlong(long v) {
            return varlong((v << 1) ^ (v >> 63));
        }

        Out bytes(byte[] b) {
            varlong(b.length);
            return raw(b);
        }

        Out raw(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
            return this;
        }

        Out string(String s) {
            if (s == null) return varlong(0);
            byte[] b = utf8(s);
            varlong(b.length + 1L);
            return raw(b);
        }

        Out bool(boolean v) {
            return byte1(v ? 1 : 0);
        }

        private void ensure(int more) {
            if (n + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
        }

        byte[] toBytes() {
            return Arrays.copyOf(buf, n);
        }
    }

    /** Reader over an encoded value. */
    static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        int byte1() {
            return buf[pos++] & 0xff;
        }

        long varlong() {
            long v = 0;
            int shift = 0;
            while (true) {
                byte b = buf[pos++];
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) return v;
                shift += 7;
            }
        }

        long svarlong() {
            long z = varlong();
            return (z >>> 1) ^ -(z & 1);
        }

        int varint() {
            return Math.toIntExact(varlong());
        }

        byte[] bytes() {
            return raw(varint());
        }

        byte[] raw(int len) {
            byte[] b = Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return b;
        }

        String string() {
            int len = varint();
            if (len == 0) return null;
            String s = new String(buf, pos, len - 1, StandardCharsets.UTF_8);
            pos += len - 1;
            return s;
        }

        boolean bool() {
            return byte1() != 0;
        }

        boolean atEnd() {
            return pos >= buf.length;
        }
    }
}
