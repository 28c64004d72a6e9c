package dev.semfs.cli.internal;

import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.ReindexResult;
import dev.semfs.syscalls.StatusInfo;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "index", description = "The semantic index: its state, or a rebuild from the store.")
final class IndexCommand extends WorkspaceCommand {

    @Option(names = "--rebuild", description = "Index every file again at its newest version.")
    boolean rebuild;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on stderr (default: only when stderr is a terminal).")
    Boolean progress;

    /** Runs the rebuild on one thread and draws its progress, polled from the workspace, on this one. */
    private ReindexResult rebuildWithProgress(Session s) throws IOException {
        boolean show = progress != null ? progress : s.env().stderrIsTerminal();
        java.util.concurrent.CompletableFuture<ReindexResult> job = new java.util.concurrent.CompletableFuture<>();
        Thread.ofPlatform().name("semfs-reindex").start(() -> {
            try {
                job.complete(s.call(new Op.Reindex()));
            } catch (Throwable t) {
                job.completeExceptionally(t);
            }
        });
        try (Progress bar = show ? Progress.items("indexing", 0, "files", s.env(), s.env().stderrIsTerminal()) : Progress.none()) {
            while (true) {
                try {
                    return job.get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException stillRunning) {
                    if (show) {
                        StatusInfo st = s.call(new Op.Status(false));
                        if (st.rebuildDone() >= 0) bar.at(st.rebuildDone(), st.rebuildTotal());
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) throw io;
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw new IOException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
    }

    @Override
    int run(Session s) throws IOException {
        if (rebuild) {
            ReindexResult r = rebuildWithProgress(s);
            if (s.json()) s.printJson(r);
            else s.out().printf("indexed %d files in %.1f s with %s%n", r.files(), r.millis() / 1000.0, r.model());
            return SemfsCli.OK;
        }
        StatusInfo st = s.call(new Op.Status(false));
        if (s.json()) {
            s.printJson(java.util.Map.of("indexLag", st.indexLag(), "model", st.model()));
        } else {
            s.out().printf("index lag  %s%nmodel      %s%n", st.indexLag() < 0 ? "not loaded (no running mount)" : st.indexLag() + " changes",
                    st.model());
        }
        return SemfsCli.OK;
    }
}
