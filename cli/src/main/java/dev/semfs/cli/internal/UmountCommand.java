package dev.semfs.cli.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code semfs umount}: unmounts; the daemon then flushes, closes the store and exits. */
@Command(name = "umount", description = "Unmount a semfs mount; its daemon flushes everything and exits.")
final class UmountCommand implements Callable<Integer> {
    @ParentCommand
    SemfsCommand root;

    @Parameters(paramLabel = "MOUNTPOINT")
    Path mountPoint;

    @Option(names = "--lazy", description = "Detach now even if busy; the daemon finishes when the last file closes.")
    boolean lazy;

    @Override
    public Integer call() {
        Path mp = mountPoint.toAbsolutePath().normalize();
        try {
            if (!MountCommand.isMounted(mp)) {
                root.env().err().println("semfs: umount: " + mp + " is not mounted");
                return SemfsCli.FAILED;
            }
            Process p = new ProcessBuilder(lazy ? new String[]{"fusermount", "-u", "-z", mp.toString()}
                    : new String[]{"fusermount", "-u", mp.toString()}).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                root.env().err().println("semfs: umount: " + mp + ": " + (out.isEmpty() ? "fusermount failed" : out)
                        + (out.contains("busy") ? " (close the files and shells using it, or use --lazy)" : ""));
                return SemfsCli.FAILED;
            }
            for (int i = 0; i < 600 && MountCommand.isMounted(mp); i++) Thread.sleep(50);
            if (!root.json) root.env().out().println("unmounted " + mp);
            else root.env().out().println("{\"unmounted\":\"" + mp.toString().replace("\"", "\\\"") + "\"}");
            return SemfsCli.OK;
        } catch (IOException | InterruptedException e) {
            return root.failure(e instanceof IOException io ? io : new IOException(e), "umount");
        }
    }
}
