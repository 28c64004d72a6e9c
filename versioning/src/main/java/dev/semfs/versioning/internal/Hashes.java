package dev.semfs.versioning.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 content addresses. The JDK's implementation uses the CPU's SHA extensions where present. */
final class Hashes {
    static final int LENGTH = 32;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    });

    private Hashes() {}

    static byte[] sha256(byte[] data, int off, int len) {
        MessageDigest md = SHA256.get();
        md.update(data, off, len);
        return md.digest();
    }

    static String hex(byte[] hash) {
        return HexFormat.of().formatHex(hash);
    }
}
