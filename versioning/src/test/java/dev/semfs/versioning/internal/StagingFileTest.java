package dev.semfs.versioning.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/** The staging file's writes behind: order, read-your-writes, and failures that come back. */
class StagingFileTest {
    @TempDir Path dir;

    @Test
    void overlappingWritesLargeAndSmallLandInOrderAndReadBackAtOnce() throws Exception {
        Random r = new Random(3);
        byte[] ref = new byte[4 << 20];
        try (StagingFile f = StagingFile.create(dir.resolve("staging").resolve("s"))) {
            for (int i = 0; i < 400; i++) {
                int len = r.nextBoolean() ? StagingFile.WRITE_BEHIND_MIN + r.nextInt(200_000) : 1 + r.nextInt(5000);
                int pos = r.nextInt(ref.length - len);
                byte[] d = new byte[len];
                r.nextBytes(d);
                f.write(pos, d, 0, len);
                System.arraycopy(d, 0, ref, pos, len);
                Arrays.fill(d, (byte) 0); // the caller may reuse its buffer as soon as write returns
                if (i % 40 == 39) {
                    byte[] got = new byte[ref.length];
                    f.read(0, got, 0, got.length);
                    assertArrayEquals(ref, got, "after write " + i);
                }
            }
            f.force();
        }
        // The file ends at the last byte written; past it, the reference holds zeros.
        assertArrayEquals(ref, Arrays.copyOf(Files.readAllBytes(dir.resolve("staging").resolve("s")), ref.length));
    }

    @Test
    void aWriteBehindThatFailsFailsTheNextWriteReadAndForceAsAFullDisk() throws Exception {
        Path full = Path.of("/dev/full"); // every write fails with ENOSPC
        if (!Files.isWritable(full)) return;
        try (StagingFile f = StagingFile.open(full)) {
            byte[] d = new byte[StagingFile.WRITE_BEHIND_MIN];
            f.write(0, d, 0, d.length); // accepted: it fails behind
            SemfsException e = assertThrows(SemfsException.class, f::drain);
            assertEquals(ErrorCode.NO_SPACE, e.code());
            assertEquals(ErrorCode.NO_SPACE, assertThrows(SemfsException.class, () -> f.write(0, d, 0, 10)).code());
            assertEquals(ErrorCode.NO_SPACE, assertThrows(SemfsException.class, () -> f.read(0, d, 0, 10)).code());
            assertEquals(ErrorCode.NO_SPACE, assertThrows(SemfsException.class, f::force).code());
        }
    }
}
