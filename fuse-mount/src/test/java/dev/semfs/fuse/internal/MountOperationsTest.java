package dev.semfs.fuse.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** The adapter's own decisions, on the in-memory workspace, without a kernel in between. */
class MountOperationsTest {
    private final Workspace ws = Workspaces.inMemory();
    private final MountOperations ops = new MountOperations(ws, Caller.OWNER, new ControlTree(0, 0, 0), true);
    private final Caller c = ops.caller(0, 0);

    @Test
    void aHideOfAFileNoHandleOfOursHoldsIsAnUnlinkAndTheHiddenNameNeverReachesTheCore() throws IOException {
        ws.call(c, new Op.WriteFile("/f", new byte[] {1}, false, false));
        String hiddenName = "/.fuse_hidden0000000100000002";
        ops.onRequest("rename");
        ops.rename(c, "/f", hiddenName, 0);
        assertThrows(NoSuchFileException.class, () -> ws.call(c, new Op.Stat("/f", false)));
        assertThrows(NoSuchFileException.class, () -> ws.call(c, new Op.Stat(hiddenName, false)));
        for (FileInfo e : ws.call(c, new Op.ListDir("/")).entries()) assertFalse(e.name().startsWith(".fuse_hidden"), e.name());
        // libfuse's own unlink of the hidden name after the kernel's release: nothing left to do
        ops.onRequest("unlink");
        ops.unlink(c, hiddenName);
    }

    @Test
    void namesOfHardLinkedFilesAreKeptOnlyWhileTheyExist() throws IOException {
        ws.call(c, new Op.WriteFile("/a", new byte[] {1}, false, false));
        ops.link(c, "/a", "/b");
        assertEquals(java.util.Set.of("/a", "/b"), java.util.Set.copyOf(ops.otherLinks("/a")));
        ops.rename(c, "/b", "/c", 0);
        assertEquals(java.util.Set.of("/a", "/c"), java.util.Set.copyOf(ops.otherLinks("/a")), "a renamed link is followed");
        ops.unlink(c, "/c");
        ops.unlink(c, "/a");
        assertEquals(java.util.List.of(), ops.otherLinks("/a"));
        // thousands of linked names created and removed leave nothing behind
        for (int i = 0; i < 2000; i++) {
            ws.call(c, new Op.WriteFile("/x" + i, new byte[] {1}, false, false));
            ops.link(c, "/x" + i, "/y" + i);
            ops.unlink(c, "/y" + i);
            ops.unlink(c, "/x" + i);
        }
        assertEquals(0, ops.trackedNames());
    }

    @Test
    void libfuseVersionsWithUncheckedLayoutsAreRefused() throws IOException {
        LibFuse3.checkVersion(314, false);
        IOException e = assertThrows(IOException.class, () -> LibFuse3.checkVersion(316, false));
        assertTrue(e.getMessage().contains("3.16") && e.getMessage().contains("3.14") && e.getMessage().contains(LibFuse3.ANY_VERSION),
                e.getMessage());
        LibFuse3.checkVersion(316, true);
        assertEquals(314, LibFuse3.version(), "the layouts in this build are those of the installed libfuse");
    }
}
