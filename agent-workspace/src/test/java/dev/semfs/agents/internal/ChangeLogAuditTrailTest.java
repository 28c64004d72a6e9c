package dev.semfs.agents.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.semfs.agents.AuditQuery;
import dev.semfs.agents.AuditTrail;
import dev.semfs.versioning.Change;
import dev.semfs.versioning.ChangeRecord;
import dev.semfs.versioning.FileType;
import dev.semfs.versioning.StoreOptions;
import dev.semfs.versioning.WorkspaceStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeLogAuditTrailTest {
    @TempDir Path dir;
    final FakeClock clock = new FakeClock();

    @Test
    void queriesByAgentPathAndTimeMatchAFilterOverTheWholeLog() throws Exception {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        try (WorkspaceStore s = WorkspaceStore.open(dir, StoreOptions.defaults().withClock(clock))) {
            String[] agents = {"a", "b", "c"};
            for (String d : new String[] {"p", "q"}) {
                s.create(WorkspaceStore.ROOT, d, FileType.DIRECTORY, 0755, 0, 0, null, Change.of("a", "/" + d));
            }
            for (int i = 0; i < 300; i++) {
                if (r.nextInt(4) == 0) clock.advance(Duration.ofMillis(1 + r.nextInt(1000)));
                String agent = agents[r.nextInt(3)];
                String path = (r.nextBoolean() ? "/p/" : "/q/") + "f" + i;
                s.appendChange("note", path, null, 0, new Change(agent, "api", "", path, null));
            }
            List<ChangeRecord> all = s.changes(0, 10_000);
            AuditTrail trail = AuditTrail.over(s);
            for (int q = 0; q < 40; q++) {
                String agent = r.nextBoolean() ? agents[r.nextInt(3)] : null;
                String prefix = switch (r.nextInt(3)) { case 0 -> null; case 1 -> "/p"; default -> "/q"; };
                ChangeRecord from = all.get(r.nextInt(all.size()));
                ChangeRecord to = all.get(r.nextInt(all.size()));
                Long since = r.nextBoolean() ? from.time() : null;
                Long until = r.nextBoolean() ? to.time() : null;
                List<ChangeRecord> expected = new ArrayList<>();
                for (ChangeRecord c : all) {
                    if (agent != null && !agent.equals(c.agent())) continue;
                    if (prefix != null && !PathPrefix.isUnder(c.path(), prefix)) continue;
                    if (since != null && c.time() < since) continue;
                    if (until != null && c.time() >= until) continue;
                    expected.add(c);
                }
                List<ChangeRecord> got = new ArrayList<>();
                long after = 0;
                while (true) { // page through in small pages
                    AuditTrail.Page page = trail.query(new AuditQuery(prefix, agent, since, until, after, 7), c -> true);
                    got.addAll(page.entries());
                    if (page.entries().isEmpty()) break;
                    after = page.next();
                }
                assertEquals(expected, got, "seed " + seed + " query " + q);
            }
            AuditTrail.Page visibleOnly = trail.query(new AuditQuery(null, null, null, null, 0, 10_000), c -> c.path().startsWith("/p/"));
            assertTrue(visibleOnly.entries().stream().allMatch(c -> c.path().startsWith("/p/")), "seed " + seed);
        }
    }
}
