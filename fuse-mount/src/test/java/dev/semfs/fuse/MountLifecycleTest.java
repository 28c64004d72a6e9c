package dev.semfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mount and unmount: idempotence, remounting, what unmount flushes, and recovery from a crash. */
class MountLifecycleTest {
    @TempDir Path tmp;

    @Test
    void unmountIsIdempotentReleasesOpenFilesAndTheDirectoryCanBeMountedAgain() throws Exception {
        MountFixture.requireFuse();
        Workspace ws = Workspaces.inMemory();
        Path mp = Files.createDirectories(tmp.resolve("mnt"));
        MountedWorkspace m = Mounter.fuse().mount(ws, mp, MountOptions.forAgent("a"));
        assertTrue(m.isMounted());
        assertThrows(FileSystemException.class, () -> Mounter.fuse().mount(ws, mp, MountOptions.forAgent("b")));
        // a process still holding a written file when the mount goes away: unmount must cut its version
        Process holder = new ProcessBuilder("sh", "-c", "exec 3>" + mp.resolve("held") + "; echo data >&3; exec sleep 60").start();
        try {
            waitFor(() -> Files.exists(mp.resolve("held")) && Files.size(mp.resolve("held")) == 5);
            m.unmount(); // busy: lazy unmount, then the held handle is released after a grace period
            assertFalse(m.isMounted());
            m.unmount();
            m.close();
        } finally {
            holder.destroyForcibly().waitFor();
        }
        assertTrue(m.awaitUnmounted(Duration.ofSeconds(10)), "the loop ends once the holder is gone");
        assertEquals(1, ws.call(Caller.owner(), new Op.Log("/held")).versions().size(), "version cut on unmount");
        try (MountedWorkspace again = Mounter.fuse().mount(ws, mp, MountOptions.forAgent("a"))) {
            assertEquals("data\n", Files.readString(again.mountPoint().resolve("held")));
        }
    }

    @Test
    void unmountingWhileAnotherFrontEndKeepsChangingTheWorkspaceIsSafe() throws Exception {
        MountFixture.requireFuse();
        Workspace ws = Workspaces.inMemory();
        Path mp = Files.createDirectories(tmp.resolve("mnt"));
        // Each change calls into the mount's FUSE session to invalidate the kernel's caches; the
        // session is destroyed at unmount, so unmount must wait for calls under way (a call into
        // a destroyed session ends the JVM).
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
        Thread writer = new Thread(() -> {
            Caller cli = Caller.of(Caller.OWNER, "cli");
            while (!stop.get()) {
                try {
                    ws.call(cli, new Op.WriteFile("/f" + (changes.get() % 16), new byte[] {1}, false, false));
                    changes.incrementAndGet();
                } catch (IOException | RuntimeException e) {
                    fail(e);
                }
            }
        });
        writer.start();
        try {
            for (int i = 0; i < 15; i++) {
                MountedWorkspace m = Mounter.fuse().mount(ws, mp, MountOptions.forAgent("a"));
                try (var entries = Files.list(m.mountPoint())) {
                    entries.forEach(p -> p.toFile().length()); // dentries to invalidate
                }
                m.unmount();
                assertTrue(m.awaitUnmounted(Duration.ofSeconds(10)), () -> "round unmount hangs:\n" + stacks());
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertTrue(changes.get() > 15, "the other front end kept changing the workspace: " + changes.get());
    }

    private static String stacks() {
        StringBuilder b = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, st) -> {
            b.append(t.getName()).append('\n');
            for (int i = 0; i < Math.min(st.length, 14); i++) b.append("    ").append(st[i]).append('\n');
        });
        return b.toString();
    }

    @Test
    void aStaleMountLeftByACrashIsClearedBeforeMounting() throws Exception {
        MountFixture.requireFuse();
        Path mp = Files.createDirectories(tmp.resolve("mnt"));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                DevMount.class.getName(), mp.toString()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        try {
            waitFor(() -> mounted(mp) || !child.isAlive());
            if (!child.isAlive()) fail("child mount failed: " + Files.readString(tmp.resolve("child.log")));
            // kill -9 the serving process and fusermount's auto_unmount helper: a real stale mount
            for (ProcessHandle p : child.descendants().toList()) p.destroyForcibly();
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly();
        }
        if (mounted(mp)) {
            assertThrows(IOException.class, () -> Files.list(mp).close()); // "Transport endpoint is not connected"
        }
        try (MountedWorkspace m = Mounter.fuse().mount(Workspaces.inMemory(), mp, MountOptions.forAgent("a"))) {
            Files.writeString(mp.resolve("f"), "alive");
            assertEquals("alive", Files.readString(mp.resolve("f")));
        }
        assertFalse(mounted(mp));
    }

    /**
     * The serving thread reads the device without blocking and polls it for a while after each
     * request (MountOptions.spin); it must still block once the mount is idle, and with no spin
     * it reads the device as libfuse does.
     */
    @Test
    void theLoopPollsBrieflyAfterRequestsAndBlocksWhenIdle() throws Exception {
        MountFixture.requireFuse();
        Path mp = Files.createDirectories(tmp.resolve("mnt"));
        Set<String> before = fuseDeviceFds();
        try (MountedWorkspace m = Mounter.fuse().mount(Workspaces.inMemory(), mp, MountOptions.forAgent("a"))) {
            String fd = onlyNew(fuseDeviceFds(), before);
            assertTrue(nonBlocking(fd), "the device is read without blocking");
            for (int i = 0; i < 200; i++) Files.writeString(mp.resolve("f" + (i % 10)), "x" + i);
            assertEquals("x199", Files.readString(mp.resolve("f9")));
            Thread loop = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("semfs-fuse " + mp)).findFirst().orElseThrow();
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            Thread.sleep(100);
            long cpu = threads.getThreadCpuTime(loop.threadId());
            Thread.sleep(1000);
            long spent = threads.getThreadCpuTime(loop.threadId()) - cpu;
            assertTrue(spent < TimeUnit.MILLISECONDS.toNanos(100), "an idle mount's loop used " + spent / 1_000_000 + " ms of CPU in 1 s");
        }
        before = fuseDeviceFds();
        try (MountedWorkspace m = Mounter.fuse().mount(Workspaces.inMemory(), mp, MountOptions.forAgent("a").withSpin(Duration.ZERO))) {
            assertFalse(nonBlocking(onlyNew(fuseDeviceFds(), before)), "no spin: libfuse's blocking loop");
            Files.writeString(mp.resolve("f"), "blocking");
            assertEquals("blocking", Files.readString(mp.resolve("f")));
        }
        assertThrows(IllegalArgumentException.class, () -> MountOptions.forAgent("a").withSpin(Duration.ofNanos(-1)));
    }

    private static Set<String> fuseDeviceFds() throws IOException {
        Set<String> fds = new java.util.HashSet<>();
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : list.toList()) {
                try {
                    if (Files.readSymbolicLink(p).toString().equals("/dev/fuse")) fds.add(p.getFileName().toString());
                } catch (IOException closedMeanwhile) {
                    // the listing's own descriptor, or one closed since
                }
            }
        }
        return fds;
    }

    private static String onlyNew(Set<String> now, Set<String> before) {
        Set<String> added = new java.util.HashSet<>(now);
        added.removeAll(before);
        assertEquals(1, added.size(), "one /dev/fuse descriptor opened by the mount: " + added);
        return added.iterator().next();
    }

    private static boolean nonBlocking(String fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) return (Integer.parseInt(line.substring(6).trim(), 8) & 04000) != 0;
        }
        throw new AssertionError("no flags in fdinfo of " + fd);
    }

    private static boolean mounted(Path mp) throws IOException {
        return Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mp.toRealPath() + " ");
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) fail("timed out");
            Thread.sleep(20);
        }
    }
}
