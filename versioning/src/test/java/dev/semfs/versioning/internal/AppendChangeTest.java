package dev.semfs.versioning.internal;

import static dev.semfs.versioning.internal.StoreFixture.change;
import static dev.semfs.versioning.internal.StoreFixture.file;
import static dev.semfs.versioning.internal.StoreFixture.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import dev.semfs.versioning.Change;
import dev.semfs.versioning.ChangeRecord;
import dev.semfs.versioning.Inode;
import dev.semfs.versioning.WorkspaceStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendChangeTest {
    @TempDir Path dir;

    @Test
    void anAppendedEventTakesTheNextSequenceNumberAndSurvivesReopen() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            Inode f = file(s, "f");
            ChangeRecord c = s.appendChange("conflict", "/f", null, 3,
                    new Change("bob", "mcp", "overwrote alice's version", "/f", null));
            assertEquals(s.lastChangeSeq(), c.seq());
            assertEquals(2, c.seq());
            s.unlink(WorkspaceStore.ROOT, "f", change("/f"));
            assertEquals(List.of("create", "conflict", "delete"), s.changes(0, 10).stream().map(ChangeRecord::op).toList());
            assertEquals(f.ino(), s.changes(0, 1).getFirst().ino());
        }
        try (WorkspaceStore s = open(dir)) {
            ChangeRecord c = s.changes(1, 1).getFirst();
            assertEquals("conflict", c.op());
            assertEquals("/f", c.path());
            assertEquals(3, c.version());
            assertEquals("bob", c.agent());
            assertEquals("mcp", c.via());
            assertEquals("overwrote alice's version", c.reason());
            assertNull(c.type());
            assertEquals(3, s.lastChangeSeq());
        }
    }

    @Test
    void theStoresOwnOperationNamesAreRefused() throws Exception {
        try (WorkspaceStore s = open(dir)) {
            for (String op : List.of("write", "delete", "rename", "snapshot", " ")) {
                SemfsException e = assertThrows(SemfsException.class, () -> s.appendChange(op, "/f", null, 0, change("/f")));
                assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            }
            assertEquals(0, s.lastChangeSeq());
        }
    }
}
