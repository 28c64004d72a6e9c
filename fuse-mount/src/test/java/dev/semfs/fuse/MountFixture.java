package dev.semfs.fuse;

import static org.junit.jupiter.api.Assertions.fail;

import dev.semfs.syscalls.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real FUSE mount of a workspace in a temp dir, for integration tests, plus a way to run real
 * programs against it. Without /dev/fuse the tests are skipped on a developer machine but fail
 * when CI=true, so a CI image without FUSE cannot pass silently.
 */
final class MountFixture implements AutoCloseable {
    final Workspace workspace;
    final Path mountPoint;
    final MountedWorkspace mount;

    private MountFixture(Workspace workspace, Path mountPoint, MountedWorkspace mount) {
        this.workspace = workspace;
        this.mountPoint = mountPoint;
        this.mount = mount;
    }

    static void requireFuse() {
        boolean ok = Files.exists(Path.of("/dev/fuse")) && (Files.exists(Path.of("/usr/bin/fusermount"))
                || Files.exists(Path.of("/bin/fusermount")) || Files.exists(Path.of("/usr/bin/fusermount3")));
        if (ok) return;
        String why = "FUSE is not available (/dev/fuse and fusermount3 needed; apt-get install -y fuse3)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(why);
        Assumptions.abort(why);
    }

    static MountFixture mount(Workspace workspace, Path tempDir, MountOptions options) throws IOException {
        requireFuse();
        Path mp = Files.createDirectories(tempDir.resolve("mnt"));
        return new MountFixture(workspace, mp, Mounter.fuse().mount(workspace, mp, options));
    }

    static MountFixture mount(Workspace workspace, Path tempDir) throws IOException {
        return mount(workspace, tempDir, MountOptions.forAgent(dev.semfs.syscalls.Caller.OWNER).withDebug(System.getenv("SEMFS_FUSE_DEBUG") != null));
    }

    Path path(String relative) {
        return mountPoint.resolve(relative);
    }

    /** Runs {@code sh -c script} in {@code dir}; returns stdout, fails the test on a non-zero exit. */
    static String sh(Path dir, String script) throws IOException, InterruptedException {
        Result r = run(dir, "sh", "-c", script);
        if (r.exit != 0) fail("`" + script + "` exited " + r.exit + ":\n" + r.out);
        return r.out;
    }

    record Result(int exit, String out) {}

    static Result run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static List<String> lines(String s) {
        List<String> out = new ArrayList<>();
        for (String l : s.split("\n")) if (!l.isEmpty()) out.add(l);
        return out;
    }

    @Override
    public void close() throws IOException {
        mount.unmount();
    }
}
