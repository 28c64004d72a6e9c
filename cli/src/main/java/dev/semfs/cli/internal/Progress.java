package dev.semfs.cli.internal;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a bulk copy, counted in bytes, drawn on stderr only when stderr is a terminal or
 * the user asked for it (--progress); otherwise every call is a no-op. Never on stdout, which
 * belongs to the command's result (and to --json).
 */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    static Progress none() {
        return new Progress(null);
    }

    /**
     * @param onTerminal when true, the terminal's width is asked for; when false (forced on a
     *                   pipe or file), a fixed 80 columns avoids probing a terminal that is not there
     */
    static Progress bytes(String task, long totalBytes, CliEnv env, boolean onTerminal) {
        ConsoleProgressBarConsumer consumer = onTerminal
                ? new ConsoleProgressBarConsumer(env.err())
                : new ConsoleProgressBarConsumer(env.err(), 80);
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(Math.max(totalBytes, 0))
                .setUnit(" MiB", 1 << 20)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setConsumer(consumer)
                .build();
        return new Progress(bar);
    }

    /** A bar counting items (files) rather than bytes. */
    static Progress items(String task, long total, String unit, CliEnv env, boolean onTerminal) {
        ConsoleProgressBarConsumer consumer = onTerminal
                ? new ConsoleProgressBarConsumer(env.err())
                : new ConsoleProgressBarConsumer(env.err(), 80);
        return new Progress(new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(total, 0))
                .setUnit(" " + unit, 1).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200)
                .setConsumer(consumer).build());
    }

    /** Moves the bar to {@code done} (of a total that may have changed). */
    void at(long done, long total) {
        if (bar == null) return;
        if (total > 0 && total != bar.getMax()) bar.maxHint(total);
        bar.stepTo(done);
    }

    void step(long bytes) {
        if (bar != null) bar.stepBy(bytes);
    }

    void message(String text) {
        if (bar != null) bar.setExtraMessage(text);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
