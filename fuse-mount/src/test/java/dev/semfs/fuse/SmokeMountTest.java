package dev.semfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeMountTest {
    @TempDir Path tmp;

    @Test
    void writesAndReadsThroughTheShell() throws Exception {
        try (MountFixture m = MountFixture.mount(new InMemoryWorkspace(), tmp)) {
            assertEquals("hello\n", MountFixture.sh(m.mountPoint, "echo hello > a.txt && cat a.txt"));
        }
    }
}
