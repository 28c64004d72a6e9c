package dev.semfs.cli.internal;

import dev.semfs.syscalls.Handle;
import dev.semfs.syscalls.Op;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", description = {
        "Copy a host directory tree (or one host file) into the workspace at DEST (default /).",
        "Files keep their permission bits; each copied file gets a version."})
final class ImportCommand extends WorkspaceCommand {

    @Parameters(index = "0", paramLabel = "HOSTDIR", description = "Host directory (or file) to copy in.")
    Path host;

    @Parameters(index = "1", paramLabel = "DEST", arity = "0..1", description = "Workspace directory (default: /).")
    String dest = "/";

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on stderr (default: only when stderr is a terminal).")
    Boolean progress;

    private record Item(Path path, String rel, BasicFileAttributes attrs) {}

    private final List<Item> items = new ArrayList<>();
    private final List<Map<String, Object>> skipped = new ArrayList<>();
    private long files, directories, symlinks, bytes;

    @Override
    void prepare() throws IOException {
        // Walk the host tree before the store is opened: the plan gives the progress bar its total.
        Path src = host.toAbsolutePath().normalize();
        if (!Files.exists(src, LinkOption.NOFOLLOW_LINKS)) throw new NoSuchFileException(host.toString());
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(src)) items.add(new Item(dir, rel(src, dir), attrs));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                items.add(new Item(file, file.equals(src) ? null : rel(src, file), attrs));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (file.equals(src)) throw e;
                skipped.add(Json.object("path", file.toString(), "reason", String.valueOf(e.getMessage())));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String rel(Path root, Path p) {
        StringBuilder b = new StringBuilder();
        for (Path part : root.relativize(p)) {
            if (!b.isEmpty()) b.append('/');
            b.append(part);
        }
        return b.toString();
    }

    @Override
    int run(Session s) throws IOException {
        int status = SemfsCli.OK;
        long total = items.stream().filter(i -> i.attrs().isRegularFile()).mapToLong(i -> i.attrs().size()).sum();
        boolean single = items.size() == 1 && items.getFirst().rel() == null;
        String base = dest;
        if (single) {
            // One host file: into DEST when DEST is a directory, else as DEST itself.
            if (isDirectory(s, dest)) base = Formats.child(dest, host.getFileName().toString());
        } else if (!isDirectory(s, dest)) {
            s.call(new Op.Mkdir(dest, true, MkdirCommand.DIR_MODE));
        }
        try (Progress bar = progress(s, total)) {
            for (Item item : items) {
                String target = item.rel() == null ? base : Formats.child(base, item.rel());
                try {
                    copy(s, item, target, bar);
                } catch (IOException | RuntimeException e) {
                    status = Math.max(status, s.fail(e));
                }
                bar.message(files + " files");
            }
        }
        for (Map<String, Object> sk : skipped) {
            s.env().err().println("semfs: import " + sk.get("path") + ": skipped (" + sk.get("reason") + ")");
        }
        if (s.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", host.toAbsolutePath().normalize().toString());
            m.put("dest", base);
            m.put("files", files);
            m.put("directories", directories);
            m.put("symlinks", symlinks);
            m.put("bytes", bytes);
            m.put("skipped", skipped);
            m.put("errors", s.errors());
            s.printJson(m);
        } else {
            s.out().printf("imported %d files, %d directories, %d symlinks (%s) into %s%n",
                    files, directories, symlinks, Formats.bytes(bytes), base);
        }
        return status;
    }

    private Progress progress(Session s, long total) {
        boolean tty = s.env().stderrIsTerminal();
        boolean show = progress != null ? progress : tty;
        return show ? Progress.bytes("import", total, s.env(), tty) : Progress.none();
    }

    private static boolean isDirectory(Session s, String path) throws IOException {
        try {
            return s.call(new Op.Stat(path, true)).isDirectory();
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private void copy(Session s, Item item, String target, Progress bar) throws IOException {
        BasicFileAttributes a = item.attrs();
        if (a.isDirectory()) {
            s.call(new Op.Mkdir(target, true, HostFiles.mode(item.path(), MkdirCommand.DIR_MODE)));
            directories++;
        } else if (a.isSymbolicLink()) {
            s.call(new Op.Symlink(target, Files.readSymbolicLink(item.path()).toString()));
            symlinks++;
        } else if (a.isRegularFile()) {
            bytes += copyFile(s, item.path(), target, HostFiles.mode(item.path(), 0644), bar);
            files++;
        } else {
            skipped.add(Json.object("path", item.path().toString(), "reason", "not a file, directory or symlink"));
        }
    }

    /** Streams one host file in through an open handle, so the file's mode is set at creation. */
    private static long copyFile(Session s, Path from, String target, int mode, Progress bar) throws IOException {
        try (InputStream in = Files.newInputStream(from)) {
            Handle h = s.call(new Op.Open(target, true, true, false, true, mode));
            return Transfers.writeAndRelease(s, h, 0, in, bar::step);
        }
    }
}
