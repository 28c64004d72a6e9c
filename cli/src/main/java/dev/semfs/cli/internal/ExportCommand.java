package dev.semfs.cli.internal;

import dev.semfs.errors.SemfsException;
import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.Op;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", description = {
        "Copy the workspace tree at DEST (or one file) out to HOSTDIR, the reverse of import.",
        "Existing host files are replaced; permission bits are kept."})
final class ExportCommand extends WorkspaceCommand {

    @Parameters(index = "0", paramLabel = "DEST", description = "Workspace directory (or file) to copy out.")
    String source;

    @Parameters(index = "1", paramLabel = "HOSTDIR", description = "Host directory to copy into (created if missing).")
    Path hostDir;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on stderr (default: only when stderr is a terminal).")
    Boolean progress;

    private record Item(String path, String rel, FileInfo info) {}

    private long files, directories, symlinks, bytes;

    @Override
    int run(Session s) throws IOException {
        int status = SemfsCli.OK;
        Path root = hostDir.toAbsolutePath().normalize();
        FileInfo top = s.call(new Op.Stat(source, false));
        List<Item> items = new ArrayList<>();
        Path base;
        if (top.isDirectory()) {
            status = plan(s, top.path(), items);
            Files.createDirectories(root);
            base = root;
        } else {
            // One file: into HOSTDIR when it is a directory, else as HOSTDIR itself.
            base = Files.isDirectory(root) ? root.resolve(top.name()) : root;
            items.add(new Item(top.path(), null, top));
        }
        long total = items.stream().filter(i -> i.info().isFile()).mapToLong(i -> i.info().size()).sum();
        List<Map.Entry<Path, Integer>> dirModes = new ArrayList<>();
        try (Progress bar = progress(s, total)) {
            for (Item item : items) {
                try {
                    Path target = item.rel() == null ? base : inside(root, root.resolve(item.rel()), item.path());
                    copy(s, item, target, bar, dirModes);
                } catch (IOException | RuntimeException e) {
                    status = Math.max(status, s.fail(e));
                }
                bar.message(files + " files");
            }
        }
        // Directory modes last, deepest first: a read-only directory must not block its own copy.
        for (int i = dirModes.size() - 1; i >= 0; i--) {
            HostFiles.setMode(dirModes.get(i).getKey(), dirModes.get(i).getValue());
        }
        if (s.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", top.path());
            m.put("dest", base.toString());
            m.put("files", files);
            m.put("directories", directories);
            m.put("symlinks", symlinks);
            m.put("bytes", bytes);
            m.put("errors", s.errors());
            s.printJson(m);
        } else {
            s.out().printf("exported %d files, %d directories, %d symlinks (%s) to %s%n",
                    files, directories, symlinks, Formats.bytes(bytes), base);
        }
        return status;
    }

    /** Lists the tree below {@code dir}, parents before children; failures are reported and skipped. */
    private static int plan(Session s, String dir, List<Item> items) {
        int status = SemfsCli.OK;
        Deque<String[]> todo = new ArrayDeque<>();
        todo.push(new String[] {dir, ""});
        while (!todo.isEmpty()) {
            String[] next = todo.pop();
            List<FileInfo> entries;
            try {
                entries = s.call(new Op.ListDir(next[0])).entries();
            } catch (IOException | RuntimeException e) {
                status = Math.max(status, s.fail(e));
                continue;
            }
            for (int i = entries.size() - 1; i >= 0; i--) {
                FileInfo f = entries.get(i);
                String rel = next[1].isEmpty() ? f.name() : next[1] + "/" + f.name();
                String path = Formats.child(next[0], f.name());
                items.add(new Item(path, rel, f));
                if (f.isDirectory()) todo.push(new String[] {path, rel});
            }
        }
        // Depth-first order above puts each directory before its entries; keep it stable by path.
        items.sort((a, b) -> a.rel().compareTo(b.rel()));
        return status;
    }

    /** Refuses a target outside HOSTDIR (a name the host reads differently must not escape it). */
    private static Path inside(Path root, Path target, String wsPath) throws SemfsException {
        Path t = target.normalize();
        if (!t.startsWith(root) || t.equals(root)) {
            throw SemfsException.invalid(wsPath, "would be written outside " + root);
        }
        return t;
    }

    private void copy(Session s, Item item, Path target, Progress bar, List<Map.Entry<Path, Integer>> dirModes)
            throws IOException {
        FileInfo f = item.info();
        if (f.isDirectory()) {
            if (Files.isSymbolicLink(target)) Files.delete(target);
            Files.createDirectories(target);
            dirModes.add(Map.entry(target, f.mode() & 0777));
            directories++;
        } else if (f.isSymlink()) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) Files.delete(target);
            Files.createSymbolicLink(target, Path.of(s.call(new Op.ReadLink(item.path())).target()));
            symlinks++;
        } else {
            // Never write through a host symlink that happens to sit where the file goes.
            if (Files.isSymbolicLink(target)) Files.delete(target);
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                long[] n = {0};
                Transfers.read(s, item.path(), (b, off, len) -> {
                    out.write(b, off, len);
                    n[0] += len;
                    bar.step(len);
                });
                bytes += n[0];
            }
            HostFiles.setMode(target, f.mode() & 0777);
            files++;
        }
    }

    private Progress progress(Session s, long total) {
        boolean tty = s.env().stderrIsTerminal();
        boolean show = progress != null ? progress : tty;
        return show ? Progress.bytes("export", total, s.env(), tty) : Progress.none();
    }
}
