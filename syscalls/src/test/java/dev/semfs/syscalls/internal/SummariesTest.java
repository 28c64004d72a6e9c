package dev.semfs.syscalls.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.errors.SemfsException;
import dev.semfs.index.ExtractiveSummarizer;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Summary;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/** Summaries of files, folders and changes, offline, limited to what the caller may read. */
class SummariesTest {
    static final String REPORT = """
            Quarterly report

            Revenue grew by twelve percent in the third quarter, driven by the new subscription plans.
            The weather was pleasant during the offsite.
            Subscription revenue now makes up most of the revenue, and subscription churn fell to two percent.
            Lunch was served at noon.
            Next quarter the team will focus on subscription pricing and revenue in Europe.
            """;

    @TempDir Path dir;
    Workspace ws;
    final Caller owner = Caller.owner();

    @BeforeEach
    void open() throws IOException {
        ws = Workspaces.open(dir, StoreOptions.defaults(), IndexSetup.none());
    }

    @AfterEach
    void close() throws IOException {
        ws.close();
    }

    private void put(Caller c, String path, String text) throws IOException {
        ws.call(c, new Op.WriteFile(path, text.getBytes(StandardCharsets.UTF_8), false, true));
    }

    @Test
    void theSentencesThatCarryTheTextAreKeptInTheirOrder() {
        String s = ExtractiveSummarizer.summarize(REPORT, 2);
        assertEquals("Revenue grew by twelve percent in the third quarter, driven by the new subscription plans."
                + " Next quarter the team will focus on subscription pricing and revenue in Europe.", s);
        String three = ExtractiveSummarizer.summarize(REPORT, 3);
        assertTrue(three.contains("churn fell") && !three.contains("Lunch") && !three.contains("weather"), three);
        assertEquals("", ExtractiveSummarizer.summarize("", 3));
        assertEquals("One line only.", ExtractiveSummarizer.summarize("One line only.", 3));
        assertThrows(IllegalArgumentException.class, () -> ExtractiveSummarizer.summarize(REPORT, 0));
    }

    @Test
    void aFileAndAFolder() throws Exception {
        put(owner, "/notes/report.md", REPORT);
        put(owner, "/notes/todo.txt", "Water the tomato plants on Friday. Buy more compost for the garden beds.");
        put(owner, "/notes/deep/more.txt", "The garden beds need compost before the tomato plants go in.");
        ws.call(owner, new Op.WriteFile("/notes/photo.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 1}, false, true));

        Summary one = ws.call(owner, new Op.Summarize(List.of("/notes/report.md"), null, null, 1));
        assertEquals("extractive", one.method());
        assertEquals(1, one.parts().size());
        assertEquals(1, one.parts().getFirst().version());
        assertEquals(one.parts().getFirst().summary(), one.text());
        assertTrue(one.text().toLowerCase().contains("subscription"), one.text());

        Summary folder = ws.call(owner, new Op.Summarize(List.of("/notes"), null, null, 2));
        assertEquals(List.of("/notes/deep/more.txt", "/notes/photo.png", "/notes/report.md", "/notes/todo.txt"),
                folder.parts().stream().map(Summary.Part::path).toList());
        assertEquals("", folder.parts().get(1).summary(), "a binary file has no text to summarise");
        assertFalse(folder.text().isBlank());

        SemfsException bad = assertThrows(SemfsException.class,
                () -> ws.call(owner, new Op.Summarize(List.of("/notes"), null, null, 1000)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, bad.code());
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> ws.call(owner, new Op.Summarize(List.of("/nowhere"), null, null, 0)));
    }

    @Test
    void anAgentsSummaryNeverContainsWhatItMayNotRead() throws Exception {
        ws.call(owner, new Op.AgentCreate("guest"));
        ws.call(owner, new Op.Grant("guest", "/team", "read"));
        ws.call(owner, new Op.Grant("guest", "/team/hr", "none"));
        put(owner, "/team/plan.txt", "The team plans to ship the garden planner in spring.");
        put(owner, "/team/hr/salaries.txt", "Alice earns ninety thousand. The salaries are confidential.");
        put(owner, "/secret.txt", "The launch code is tomato soup.");
        Caller guest = Caller.of("guest", "api");

        Summary all = ws.call(guest, new Op.Summarize(List.of("/"), null, null, 5));
        assertEquals(List.of("/team/plan.txt"), all.parts().stream().map(Summary.Part::path).toList(), all.toString());
        assertFalse(all.text().contains("ninety") || all.text().contains("tomato"), all.text());
        Summary since = ws.call(guest, new Op.Summarize(null, null, Instant.EPOCH, 5));
        assertEquals(List.of("/team/plan.txt"), since.parts().stream().map(Summary.Part::path).toList(), since.toString());
        assertThrows(AccessDeniedException.class, () -> ws.call(guest, new Op.Summarize(List.of("/team/hr/salaries.txt"), null, null, 0)));
        assertThrows(AccessDeniedException.class, () -> ws.call(guest, new Op.Summarize(List.of("/secret.txt"), null, null, 0)));
    }

    @Test
    void theChangesSinceATimeWithWhoDidWhat() throws Exception {
        ws.call(owner, new Op.AgentCreate("alice"));
        ws.call(owner, new Op.Grant("alice", "/", "write"));
        Caller alice = Caller.of("alice", "api");
        put(owner, "/old.txt", "Written long ago, before the time asked about.");
        Thread.sleep(5);
        Instant t = Instant.now();
        Thread.sleep(5);
        put(alice, "/plan.txt", "First draft of the plan.");
        put(alice, "/plan.txt", "The plan: plant tomatoes in May and harvest them in August.");
        put(owner, "/gone.txt", "short-lived");
        ws.call(owner, new Op.Remove("/gone.txt", false));

        Summary s = ws.call(owner, new Op.Summarize(null, null, t, 2));
        assertEquals(List.of("/gone.txt", "/plan.txt"), s.parts().stream().map(Summary.Part::path).toList(), s.toString());
        Summary.Part plan = s.parts().get(1);
        assertEquals(2, plan.version());
        assertTrue(plan.change().contains("written 2 times") && plan.change().endsWith("by alice"), plan.change());
        assertTrue(plan.summary().contains("harvest them in August"), plan.summary());
        assertTrue(s.parts().getFirst().change().contains("deleted"), s.parts().getFirst().change());
        assertTrue(s.text().startsWith("2 files changed since "), s.text());
        assertTrue(ws.call(owner, new Op.Summarize(null, null, Instant.now().plusSeconds(60), 2)).text().startsWith("Nothing changed"));
    }
}
