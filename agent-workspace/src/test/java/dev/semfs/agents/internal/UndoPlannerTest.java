package dev.semfs.agents.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.semfs.agents.UndoPlan;
import dev.semfs.versioning.ChangeRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UndoPlannerTest {
    private final List<ChangeRecord> log = new ArrayList<>();

    private void add(long time, String agent, String op, String path, String toPath) {
        log.add(new ChangeRecord(log.size() + 1, time, op, 0, null, path, toPath, 0, agent, "api", ""));
    }

    private UndoPlan.Step step(UndoPlan plan, String path) {
        return plan.steps().stream().filter(s -> s.path().equals(path)).findFirst().orElseThrow(() -> new AssertionError("no step for " + path));
    }

    @Test
    void eachPathGoesBackToBeforeTheAgentsFirstChangeUnlessAnotherAgentChangedItLater() {
        add(5, "x", "write", "/old", null);       // before T: ignored
        add(10, "x", "create", "/a", null);
        add(11, "x", "write", "/a", null);
        add(12, "y", "write", "/b", null);         // another file: no conflict
        add(13, "x", "write", "/b2", null);
        add(14, "y", "write", "/b2", null);        // y after x on the same file: conflict
        add(15, "y", "write", "/c", null);
        add(16, "x", "write", "/c", null);         // y before x: x's change is undone, y's stays
        add(17, "x", "rename", "/d", "/e");        // both sides touched
        add(18, "x", "mkdir", "/dir", null);
        add(19, "y", "create", "/dir/y", null);    // below x's directory: conflict on /dir
        add(20, "x", "write", "/f", null);
        add(21, "y", "rename", "/", "/elsewhere"); // not a real op on "/", but a tree op above everything
        add(22, "x", "snapshot", "/", "s1");      // not a mutation
        add(23, "y", "conflict", "/a", null);     // an event, not a change
        UndoPlan plan = UndoPlan.of("x", 10, log.subList(0, 12)); // up to time 20
        assertEquals(List.of("/f", "/e", "/dir", "/d", "/c", "/b2", "/a"), plan.steps().stream().map(UndoPlan.Step::path).toList(),
                "deepest first, every path x touched since T");
        assertFalse(step(plan, "/a").conflict());
        assertEquals(10, step(plan, "/a").firstTimeNanos());
        assertTrue(step(plan, "/b2").conflict());
        assertEquals("y", step(plan, "/b2").conflictAgent());
        assertEquals(6, step(plan, "/b2").conflictSeq());
        assertFalse(step(plan, "/c").conflict());
        assertEquals(16, step(plan, "/c").firstTimeNanos());
        assertFalse(step(plan, "/d").conflict());
        assertFalse(step(plan, "/e").conflict());
        assertTrue(step(plan, "/dir").conflict());
        assertFalse(step(plan, "/f").conflict());

        UndoPlan all = UndoPlan.of("x", 10, log);
        assertTrue(step(all, "/f").conflict(), "a later move of a directory above the file conflicts");
        assertFalse(all.steps().stream().anyMatch(s -> s.path().equals("/old")));
    }
}
