package dev.semfs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

class MountBenchTest {
    @TempDir Path tmp;

    /** A DAMON sysfs tree as the kernel lays it out: one kdamond with one context and its schemes. */
    private Path damon(String state, String... actions) throws IOException {
        Path admin = tmp.resolve("damon/admin");
        Path k = Files.createDirectories(admin.resolve("kdamonds/0"));
        Files.writeString(admin.resolve("kdamonds/nr_kdamonds"), "1\n");
        Files.writeString(k.resolve("state"), state + "\n");
        Path ctx = Files.createDirectories(k.resolve("contexts/0"));
        Files.writeString(ctx.resolve("operations"), "paddr\n");
        for (int i = 0; i < actions.length; i++) {
            Path scheme = Files.createDirectories(ctx.resolve("schemes/" + i));
            Files.writeString(scheme.resolve("action"), actions[i] + "\n");
            Files.createDirectories(scheme.resolve("access_pattern/age"));
            Files.writeString(scheme.resolve("access_pattern/age/min"), "12\n");
        }
        return admin;
    }

    @Test
    void conditionsSayWhenTheKernelPagesOutIdlePageCache() throws IOException {
        assertTrue(MountBench.proactiveReclaim(damon("on", "stat", "pageout")).contains("DAMON pageout"));
    }

    @Test
    void noReclaimWithoutARunningPageoutScheme() throws IOException {
        assertNull(MountBench.proactiveReclaim(tmp.resolve("absent")));
        assertNull(MountBench.proactiveReclaim(damon("off", "pageout")), "a stopped kdamond");
    }

    @Test
    void otherActionsAreNotReclaim() throws IOException {
        assertNull(MountBench.proactiveReclaim(damon("on", "stat", "lru_prio")));
    }

    private Path sysfs(String driver, String pollNs) throws IOException {
        Path cpuidle = Files.createDirectories(tmp.resolve("cpuidle"));
        Files.writeString(cpuidle.resolve("current_driver"), driver + "\n");
        Path params = Files.createDirectories(tmp.resolve("haltpoll/parameters"));
        if (pollNs != null) Files.writeString(params.resolve("guest_halt_poll_ns"), pollNs + "\n");
        else Files.deleteIfExists(params.resolve("guest_halt_poll_ns"));
        return cpuidle;
    }

    @Test
    void conditionsSayWhenIdleVcpusHaltAtOnce() throws IOException {
        Path params = tmp.resolve("haltpoll/parameters");
        assertTrue(MountBench.idleHalt(sysfs("haltpoll", "0"), params).contains("halt polling off"));
        assertEquals("guest halt polling up to 200000 ns", MountBench.idleHalt(sysfs("haltpoll", "200000"), params));
    }

    @Test
    void noHaltPollingConditionOutsideAHaltpollGuest() throws IOException {
        Path params = tmp.resolve("haltpoll/parameters");
        assertNull(MountBench.idleHalt(sysfs("intel_idle", "0"), params), "another cpuidle driver");
        assertNull(MountBench.idleHalt(sysfs("haltpoll", null), params), "no parameter to read");
        assertNull(MountBench.idleHalt(tmp.resolve("absent"), params));
    }
}
