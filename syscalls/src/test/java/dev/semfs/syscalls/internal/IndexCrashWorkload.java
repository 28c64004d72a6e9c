package dev.semfs.syscalls.internal;

import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Child JVM of the index crash test: writes files, then idles while the background indexer works, until killed. */
public final class IndexCrashWorkload {
    static final String[] TOPICS = {
        "The cat slept on the warm windowsill all afternoon.",
        "Quarterly tax returns must be filed before the deadline.",
        "Whisk the eggs and sugar, then fold in the flour and bake.",
        "The spacecraft entered orbit around Jupiter after six years.",
        "Water the tomato plants every morning during the summer.",
        "The striker scored twice in the second half of the final.",
        "Compile the project with Maven and run the unit tests.",
        "The patient's blood pressure dropped after the new medication.",
    };

    static String text(int i) {
        return "Note " + i + ". " + TOPICS[i % TOPICS.length] + " Variation " + (i * 7919 % 1000) + ".";
    }

    public static void main(String[] args) throws Exception {
        int files = Integer.parseInt(args[1]);
        Workspace ws = Workspaces.open(Path.of(args[0]), StoreOptions.defaults(), IndexSetup.continuous());
        for (int i = 0; i < files; i++) {
            ws.call(Caller.owner(), new Op.WriteFile("/notes/n" + i + ".txt", text(i).getBytes(StandardCharsets.UTF_8), false, true));
        }
        System.out.println("written");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
