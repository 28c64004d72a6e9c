package dev.semfs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `semfs mount` as a user runs it, through the real launcher: the daemon in the background,
 * the shell writing through the mount, other commands going through the daemon, rollback seen
 * by `cat` at once, `semfs umount`, and a kill -9 of the daemon in the middle of a write loop.
 */
class DaemonTest {
    @TempDir
    Path tmp;
    private Launcher launcher;
    private Path mp;

    @BeforeEach
    void findLauncher() throws IOException {
        launcher = Launcher.find(tmp);
        assumeTrue(Files.exists(Path.of("/dev/fuse")) || System.getenv("CI") != null, "skipped: no /dev/fuse");
        mp = tmp.resolve("mnt");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mp != null && isMounted(mp)) {
            run("umount", mp.toString());
            if (isMounted(mp)) new ProcessBuilder("fusermount", "-u", "-z", mp.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
        awaitDaemonGone(); // it closes the store after the unmount; the temp dir goes next
    }

    private void awaitDaemonGone() throws Exception {
        Path pid = tmp.resolve("store/daemon.pid");
        if (!Files.exists(pid)) return;
        try {
            var p = ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).getFirst().strip()));
            if (p.isPresent()) p.get().onExit().get(30, TimeUnit.SECONDS);
        } catch (java.nio.file.NoSuchFileException gone) {
            // removed as the daemon exited
        }
    }

    private Launcher.Run run(String... args) throws IOException {
        return launcher.run(args);
    }

    private static boolean isMounted(Path mp) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].equals(mp.toString())) return true;
        }
        return false;
    }

    @Test
    void theMountServesTheShellAndEveryOtherCommand() throws Exception {
        assertEquals(0, run("init").status());
        Launcher.Run m = run("mount", "--no-index", mp.toString());
        assertEquals(0, m.status(), m::toString);
        assertTrue(isMounted(mp));

        Path doc = mp.resolve("notes/doc.txt");
        Files.createDirectories(doc.getParent());
        for (int i = 1; i <= 10; i++) Files.writeString(doc, "save " + i + "\n"); // 10 saves from the shell
        JsonNode log = new ObjectMapper().readTree(run("--json", "log", "/notes/doc.txt").out());
        assertEquals(10, log.get("versions").size(), log::toString);
        try (Stream<Path> versions = Files.list(mp.resolve(".semfs/versions/notes/doc.txt"))) {
            assertEquals(10, versions.count());
        }
        Launcher.Run rb = run("rollback", "/notes/doc.txt", "--to", "3");
        assertEquals(0, rb.status(), rb::toString);
        assertEquals("save 3\n", Files.readString(doc), "the rollback shows through the mount at once");

        Launcher.Run um = run("umount", mp.toString());
        assertEquals(0, um.status(), um::toString);
        assertTrue(!isMounted(mp));
        Launcher.Run check = run("status", "--check");
        assertEquals(0, check.status(), check::toString); // the daemon let go of the store
        assertEquals("save 3\n", run("cat", "/notes/doc.txt").out());
    }

    @Test
    void aFileWrittenThroughTheMountIsFoundByMeaningWithinSeconds() throws Exception {
        assertEquals(0, run("init").status());
        Launcher.Run m = run("mount", mp.toString()); // with the semantic index and the offline model
        assertEquals(0, m.status(), m::toString);
        Files.writeString(mp.resolve("garden.txt"), "Remember to water the tomato plants on Friday morning.\n");
        Files.writeString(mp.resolve("money.txt"), "The invoice from the accountant is due at the end of the month.\n");
        long t0 = System.nanoTime();
        Launcher.Run s = run("--json", "search", "gardening chores", "-k", "1");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, s.status(), s::toString);
        JsonNode hit = new ObjectMapper().readTree(s.out()).get("results").get(0);
        assertEquals("/garden.txt", hit.get("path").asText(), s::toString);
        assertTrue(seconds < 20, "search took " + seconds + " s");
        // The same through the shell: a directory of rank-named symlinks.
        Path dir = mp.resolve(".semfs/search/paying the accountant");
        Path best = dir.resolve("01-money.txt");
        assertTrue(Files.isSymbolicLink(best), () -> "listing: " + listing(dir));
        assertEquals("The invoice from the accountant is due at the end of the month.\n", Files.readString(best));
        // An edit moves it.
        Files.writeString(mp.resolve("garden.txt"), "Quarterly tax forms go to the government in April.\n");
        JsonNode after = new ObjectMapper().readTree(run("--json", "search", "tax paperwork", "-k", "1").out());
        assertEquals("/garden.txt", after.get("results").get(0).get("path").asText());
    }

    private static String listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** For each /dev/fuse descriptor of process {@code pid}: whether it is non-blocking (the loop polls it). */
    private static List<Boolean> fuseDevicesNonBlocking(long pid) throws IOException {
        List<Boolean> flags = new java.util.ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (!Files.readSymbolicLink(fd).toString().equals("/dev/fuse")) continue;
                    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/" + fd.getFileName()))) {
                        if (line.startsWith("flags:")) flags.add((Integer.parseInt(line.substring(6).trim(), 8) & 04000) != 0);
                    }
                } catch (IOException closedMeanwhile) {
                    // a descriptor closed since the listing
                }
            }
        }
        return flags;
    }

    @Test
    void severalAgentsMountOneWorkspaceInOneDaemonEachWithItsRights() throws Exception {
        assertEquals(0, run("init").status());
        assertEquals(0, run("mkdir", "-p", "/shared").status());
        assertEquals(0, run("agents", "create", "alice").status());
        assertEquals(0, run("agents", "grant", "alice", "/shared", "write").status());
        assertEquals(0, run("agents", "create", "bob").status());
        assertEquals(0, run("agents", "grant", "bob", "/shared", "read").status());
        assertEquals(0, run("mount", "--no-index", "--spin", "0", mp.toString()).status());
        Path mpA = tmp.resolve("alice");
        Path mpB = tmp.resolve("bob");
        try {
            Launcher.Run a = run("--agent", "alice", "mount", mpA.toString());
            assertEquals(0, a.status(), a::toString);
            assertTrue(a.out().contains("in the running daemon"), a::toString);
            assertEquals(0, run("--agent", "bob", "mount", mpB.toString()).status());
            long pid = Long.parseLong(Files.readAllLines(tmp.resolve("store/daemon.pid")).getFirst().strip());
            List<Boolean> nonBlocking = fuseDevicesNonBlocking(pid);
            assertEquals(List.of(false, false, false), nonBlocking, "--spin 0 reaches every mount of the daemon: each loop blocks");

            Files.writeString(mpA.resolve("shared/plan.md"), "alice's plan\n");
            assertEquals("alice's plan\n", Files.readString(mpB.resolve("shared/plan.md")), "bob reads what alice wrote");
            assertThrows(IOException.class, () -> Files.writeString(mpB.resolve("shared/plan.md"), "bob was here\n"),
                    "bob may only read");
            assertThrows(IOException.class, () -> Files.writeString(mpA.resolve("outside.txt"), "x"), "alice may not write outside /shared");
            assertEquals("alice's plan\n", Files.readString(mp.resolve("shared/plan.md")), "the owner's mount sees it too");
            Launcher.Run audit = run("--json", "audit", "--by", "alice");
            assertTrue(audit.out().contains("\"path\":\"/shared/plan.md\""), audit::toString);

            assertEquals(0, run("umount", mpA.toString()).status());
            assertEquals(0, run("umount", mpB.toString()).status());
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the daemon serves its last mount still");
            assertEquals(0, run("umount", mp.toString()).status());
            for (int i = 0; i < 200 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) Thread.sleep(50);
            assertTrue(!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the daemon exits with its last mount");
        } finally {
            for (Path p : List.of(mpA, mpB)) {
                if (isMounted(p)) new ProcessBuilder("fusermount", "-u", "-z", p.toString()).start().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Whether process {@code pid} still runs. A killed daemon, orphaned by the launcher that
     * started it, stays a zombie until its new parent reaps it (on some machines not for
     * seconds), and ProcessHandle.isAlive counts a zombie as alive: a write that landed in the
     * bare directory under the vanished mount then passed for one the daemon acknowledged.
     */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException gone) {
            return false;
        }
    }

    @Test
    void killDashNineOfTheDaemonLosesNoFsyncedFileAndARemountNeedsNoCleanup() throws Exception {
        assertEquals(0, run("init").status());
        Launcher.Run m = run("mount", "--no-index", mp.toString());
        assertEquals(0, m.status(), m::toString);
        long pid = Long.parseLong(Files.readAllLines(tmp.resolve("store/daemon.pid")).getFirst().strip());
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        Map<String, byte[]> synced = new java.util.concurrent.ConcurrentHashMap<>();
        long killDelay = rnd.nextInt(800);
        // The kill lands at a random moment once a few writes were acknowledged, however slow
        // the machine is that day (a fixed delay left a loaded machine with none).
        Thread killer = Thread.ofVirtual().start(() -> {
            try {
                while (synced.size() < 3) Thread.sleep(10);
                Thread.sleep(killDelay);
            } catch (InterruptedException e) {
                return;
            }
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
        });
        java.util.function.BooleanSupplier daemonAlive = () -> running(pid);
        try {
            // Once the daemon is gone its mount goes too, and writes would land in the bare
            // directory beneath: only what a live daemon acknowledged counts.
            for (int i = 0; i < 5_000 && daemonAlive.getAsBoolean(); i++) {
                byte[] data = new byte[1 + rnd.nextInt(200_000)];
                rnd.nextBytes(data);
                String name = "w" + i + ".bin";
                FileChannel ch = FileChannel.open(mp.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                try {
                    ByteBuffer b = ByteBuffer.wrap(data);
                    while (b.hasRemaining()) ch.write(b);
                    ch.force(true);
                    if (!daemonAlive.getAsBoolean()) break; // may not have been the daemon that answered
                    synced.put(name, data); // fsync returned: this file must survive
                } finally {
                    try {
                        ch.close();
                    } catch (IOException afterKill) {
                        // the daemon died between fsync and close
                    }
                }
            }
        } catch (IOException daemonGone) {
            // expected once the kill lands
        }
        if (!killer.join(java.time.Duration.ofSeconds(60))) killer.interrupt(); // the writes failed before any kill
        for (int i = 0; i < 200 && running(pid); i++) Thread.sleep(50);
        assertTrue(synced.size() >= 3, "too few files before the kill (seed " + seed + ")");
        // A write racing the kill may have landed in the bare directory once the dead mount was
        // removed; no daemon acknowledged it, and the new mount would only hide it.
        for (int i = 0; i < 100 && isMounted(mp); i++) Thread.sleep(50);
        if (!isMounted(mp)) {
            try (Stream<Path> leftovers = Files.list(mp)) {
                for (Path p : leftovers.toList()) Files.delete(p);
            }
        }

        Launcher.Run again = run("mount", "--no-index", mp.toString()); // no manual cleanup in between
        assertEquals(0, again.status(), again::toString);
        for (Map.Entry<String, byte[]> e : synced.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(mp.resolve(e.getKey())), e.getKey() + " (seed " + seed + ")");
        }
        assertEquals(0, run("umount", mp.toString()).status());
        Launcher.Run check = run("status", "--check");
        assertEquals(0, check.status(), check::toString);
    }

    @Test
    void searchAndAgentsThroughTheLauncher() throws Exception {
        assertEquals(0, run("init").status());
        assertEquals(0, run("mkdir", "-p", "/notes").status());
        Path input = tmp.resolve("in.txt");
        Files.writeString(input, "The cat slept all afternoon on the warm windowsill.");
        assertEquals(0, run("import", input.toString(), "/notes/cat.txt").status());
        Launcher.Run s = run("--json", "search", "a kitten napping in the sun", "-k", "1");
        assertEquals(0, s.status(), s::toString);
        JsonNode hits = new ObjectMapper().readTree(s.out()).get("results");
        assertEquals("/notes/cat.txt", hits.get(0).get("path").asText(), s::toString);
        assertTrue(hits.get(0).has("score") && hits.get(0).has("snippet") && hits.get(0).has("version") && hits.get(0).has("stale"));
        String[] pathsOnly = {"--agent", "reader"};
        assertEquals(1, run(concat(pathsOnly, "cat", "/notes/cat.txt")).status(), "an unknown agent is refused");
        assertEquals(0, run("agents", "create", "reader").status());
        assertEquals(0, run("agents", "grant", "reader", "/notes", "read").status());
        assertEquals(0, run(concat(pathsOnly, "cat", "/notes/cat.txt")).status());
        assertEquals(1, run(concat(pathsOnly, "rm", "/notes/cat.txt")).status(), "read is not write");
        Launcher.Run audit = run("--json", "audit", "--by", "owner", "/notes");
        assertEquals(0, audit.status(), audit::toString);
        assertTrue(audit.out().contains("\"op\":\"mkdir\""), audit::toString);
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
