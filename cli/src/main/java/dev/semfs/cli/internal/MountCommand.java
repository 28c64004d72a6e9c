package dev.semfs.cli.internal;

import dev.semfs.fuse.MountOptions;
import dev.semfs.fuse.MountedWorkspace;
import dev.semfs.fuse.Mounter;
import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code semfs mount}: the daemon. It owns the store, serves it on the mount point through FUSE
 * and to other {@code semfs} commands on the store's socket, and keeps the semantic index
 * current. In the background by default (log and pid file in the store directory).
 */
@Command(name = "mount", description = {"Mount the workspace as a directory and serve it (the daemon).",
        "While it runs, every other semfs command on this store goes through it.",
        "Runs in the background (log: STORE/daemon.log) unless --foreground."})
final class MountCommand implements Callable<Integer> {
    static final String FOREGROUND = "--foreground";

    @ParentCommand
    SemfsCommand root;

    @Parameters(paramLabel = "MOUNTPOINT", description = "An empty directory (created if missing).")
    Path mountPoint;

    @Option(names = FOREGROUND, description = "Stay in the foreground (for debugging; Ctrl-C unmounts).")
    boolean foreground;

    @Option(names = "--allow-other", description = "Let other users reach the mount (file modes still apply).")
    boolean allowOther;

    @Option(names = "--debug", description = "Log every FUSE request (foreground only).")
    boolean debug;

    @Option(names = "--no-index", description = "Do not keep the semantic index current (no model is loaded).")
    boolean noIndex;

    @Option(names = "--spin", paramLabel = "MICROSECONDS", defaultValue = "50", description = {
            "After answering a FUSE request, keep polling for the next one this long before blocking, as long as "
                    + "no more threads are runnable than CPUs (default: ${DEFAULT-VALUE}; 0: block at once). On a VM that "
                    + "halts idle CPUs this saves a host wake-up per request; an idle mount costs no CPU either way."})
    int spinMicros;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "120", hidden = true)
    int waitSeconds;

    @Override
    public Integer call() throws Exception {
        if (spinMicros < 0 || spinMicros > 1_000_000) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--spin must be 0 to 1000000 microseconds");
        }
        Path store = root.storeDir();
        try {
            if (!Files.isDirectory(store) || !Files.exists(store.resolve("CURRENT"))) {
                throw new NoSuchFileException(store.toString(), null, "no semfs store here; create one with 'semfs init'");
            }
            Path mp = mountPoint.toAbsolutePath().normalize();
            Files.createDirectories(mp);
            clearLeftoverMount(mp);
            if (Files.exists(Workspaces.socketOf(store)) && daemonAnswers(store)) {
                // One daemon per store: it mounts the workspace again, as this agent.
                try (Workspace daemon = Workspaces.connect(store)) {
                    daemon.call(dev.semfs.syscalls.Caller.of(root.agent, "cli"), new dev.semfs.syscalls.Op.Mount(mp.toString(), allowOther));
                }
                root.env().out().printf("mounted %s on %s as agent %s (in the running daemon)%n", store, mp, root.agent);
                return SemfsCli.OK;
            }
            return foreground ? serve(store, mp) : background(store, mp);
        } catch (Exception e) {
            return root.failure(e, "mount");
        }
    }

    /**
     * A daemon killed with SIGKILL leaves its mount behind for a moment (until the fusermount
     * helper notices) or for good: no daemon answers for it, so take it down before mounting.
     */
    private static void clearLeftoverMount(Path mp) throws IOException, InterruptedException {
        for (int i = 0; i < 60 && isMounted(mp); i++) Thread.sleep(50); // the helper's own cleanup
        if (!isMounted(mp)) return;
        if (answers(mp)) {
            throw new java.nio.file.FileSystemException(mp.toString(), null, "something is mounted here already (semfs umount it first)");
        }
        Process p = new ProcessBuilder("fusermount", "-u", "-z", mp.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
        for (int i = 0; i < 100 && isMounted(mp); i++) Thread.sleep(50);
    }

    /** Whether a live file system answers on {@code mp} within a second (a dead FUSE mount hangs or fails). */
    private static boolean answers(Path mp) throws InterruptedException {
        java.util.concurrent.FutureTask<Boolean> probe = new java.util.concurrent.FutureTask<>(() -> {
            try (var list = Files.list(mp)) {
                list.findAny();
                return true;
            } catch (IOException dead) {
                return false;
            }
        });
        Thread.ofVirtual().start(probe);
        try {
            return probe.get(1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    private static boolean daemonAnswers(Path store) {
        try (Workspace ignored = Workspaces.connect(store)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The workspace as the daemon serves it on its socket: every call goes to the workspace,
     * except a request to mount it once more, as the calling agent, which the daemon does itself.
     */
    static final class Daemon implements Workspace {
        private final Workspace inner;
        private final List<MountedWorkspace> mounts = new java.util.concurrent.CopyOnWriteArrayList<>();

        private final java.time.Duration spin;

        /** {@code spin}: for every mount this daemon serves, the first and those other agents ask for. */
        Daemon(Workspace inner, java.time.Duration spin) {
            this.inner = inner;
            this.spin = spin;
        }

        MountedWorkspace mount(Path mp, String agent, boolean allowOther, boolean debug) throws IOException {
            MountedWorkspace m = Mounter.fuse().mount(inner, mp,
                    MountOptions.forAgent(agent).withAllowOther(allowOther).withDebug(debug).withSpin(spin));
            mounts.add(m);
            return m;
        }

        @Override
        public <R> R call(dev.semfs.syscalls.Caller caller, dev.semfs.syscalls.Op<R> op) throws IOException {
            if (op instanceof dev.semfs.syscalls.Op.Mount m) {
                inner.call(caller, new dev.semfs.syscalls.Op.Stat("/", false)); // a known agent that may see the workspace
                Path mp = Path.of(m.mountPoint()).toAbsolutePath().normalize();
                Files.createDirectories(mp);
                mount(mp, caller.agent(), m.allowOther(), false);
                System.out.printf("semfs: also serving on %s as agent %s%n", mp, caller.agent());
                @SuppressWarnings("unchecked")
                R done = (R) dev.semfs.syscalls.Done.DONE;
                return done;
            }
            return inner.call(caller, op);
        }

        /** Waits until every mount is gone (each ends by semfs umount, fusermount -u or a signal). */
        void awaitAllUnmounted() throws InterruptedException {
            while (mounts.stream().anyMatch(MountedWorkspace::isMounted)) {
                for (MountedWorkspace m : mounts) m.awaitUnmounted(java.time.Duration.ofMillis(500));
            }
        }

        void unmountAll() {
            for (MountedWorkspace m : mounts) {
                try {
                    m.unmount();
                } catch (IOException e) {
                    System.err.println("semfs: mount: unmounting " + m.mountPoint() + ": " + e.getMessage());
                }
            }
        }

        @Override
        public void close() throws IOException {
            unmountAll();
            inner.close();
        }
    }

    /** Runs the daemon in this process until every mount is unmounted or a signal arrives. */
    int serve(Path store, Path mp) throws Exception {
        Workspace ws = Workspaces.open(store, StoreOptions.defaults(), noIndex ? IndexSetup.none() : IndexSetup.continuous());
        Daemon daemon = new Daemon(ws, java.time.Duration.ofNanos(spinMicros * 1_000L));
        Closeable server = null;
        try {
            daemon.mount(mp, root.agent, allowOther, debug);
            server = Workspaces.serve(daemon, store);
        } catch (Exception e) {
            if (server != null) server.close();
            daemon.close();
            throw e;
        }
        Path pidFile = store.resolve("daemon.pid");
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n" + mp + "\n", StandardCharsets.UTF_8);
        AtomicBoolean stopped = new AtomicBoolean();
        Closeable srv = server;
        Runnable stop = () -> {
            if (!stopped.compareAndSet(false, true)) return;
            daemon.unmountAll();
            for (Closeable c : List.<Closeable>of(srv, ws)) {
                try {
                    c.close();
                } catch (IOException e) {
                    System.err.println("semfs: mount: while stopping: " + e.getMessage());
                }
            }
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException ignored) {
                // the next daemon overwrites it
            }
        };
        Thread hook = new Thread(stop, "semfs-shutdown");
        Runtime.getRuntime().addShutdownHook(hook); // SIGINT, SIGTERM: unmount, flush, close
        root.env().out().printf("semfs: serving %s on %s as agent %s (pid %d)%n", store, mp, root.agent, ProcessHandle.current().pid());
        root.env().out().flush();
        daemon.awaitAllUnmounted();
        stop.run();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or ran: nothing left to do
        }
        return SemfsCli.OK;
    }

    /** Starts this same command again with --foreground, detached, and waits until it serves. */
    private int background(Path store, Path mp) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) cmd.add("/usr/bin/setsid"); // leave the terminal's session
        cmd.addAll(ownCommandLine());
        cmd.add(FOREGROUND);
        Path log = store.resolve("daemon.log");
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true)
                .start();
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                root.env().err().println("semfs: mount: the daemon exited with status " + p.exitValue() + "; from " + log + ":");
                root.env().err().println(tail(log));
                return SemfsCli.FAILED;
            }
            if (isMounted(mp) && daemonAnswers(store)) {
                root.env().out().printf("mounted %s on %s (daemon pid %d, log %s)%n", store, mp, p.pid(), log);
                return SemfsCli.OK;
            }
            Thread.sleep(50);
        }
        p.destroy();
        root.env().err().println("semfs: mount: the daemon did not come up within " + waitSeconds + " s; see " + log);
        return SemfsCli.FAILED;
    }

    /** This JVM's own command line (ProcessHandle.Info cuts long ones; /proc does not). */
    private static List<String> ownCommandLine() throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (args.isEmpty()) throw new IOException("cannot read this process's command line");
        return args;
    }

    static boolean isMounted(Path mp) throws IOException {
        String target = mp.toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].replace("\\040", " ").equals(target)) return true;
        }
        return false;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
