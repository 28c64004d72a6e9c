package dev.semfs.syscalls.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.semfs.errors.ErrorCode;
import dev.semfs.syscalls.Workspace;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves a workspace on a Unix socket, one virtual thread per client. The socket file is
 * readable and writable by its owner only: the file system decides who may connect.
 */
public final class SocketServer implements Closeable {
    private static final Logger LOG = Logger.getLogger(SocketServer.class.getName());
    private final Workspace workspace;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private SocketServer(Workspace workspace, Path socket) throws IOException {
        this.workspace = workspace;
        this.socket = socket;
        Files.deleteIfExists(socket); // a stale socket of a crashed daemon
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        try {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system; the directory's permissions still apply
        }
        this.acceptor = Thread.ofVirtual().name("semfs-socket-accept").start(this::acceptLoop);
    }

    public static SocketServer start(Workspace workspace, Path socket) throws IOException {
        return new SocketServer(workspace, socket);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                clients.add(client);
                Thread.ofVirtual().name("semfs-socket-client").start(() -> serve(client));
            } catch (IOException e) {
                if (!closed) LOG.log(Level.WARNING, "accept failed", e);
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client;
             DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(client), 1 << 16));
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(client), 1 << 16))) {
            byte[] frame;
            while ((frame = Wire.read(in)) != null) {
                Wire.write(out, handle(frame));
            }
        } catch (IOException e) {
            if (!closed) LOG.log(Level.FINE, "client connection ended", e);
        } finally {
            clients.remove(client);
        }
    }

    private byte[] handle(byte[] frame) throws IOException {
        ObjectNode reply = Wire.JSON.createObjectNode();
        try {
            Wire.Request req = Wire.JSON.readValue(frame, Wire.Request.class);
            if (req.format() != Wire.FORMAT) throw new IllegalArgumentException("protocol format " + req.format() + " is not " + Wire.FORMAT);
            if (req.caller() == null || req.op() == null) throw new IllegalArgumentException("request needs a caller and an op");
            Object result = workspace.call(req.caller(), req.op());
            reply.set("result", Wire.JSON.valueToTree(result));
        } catch (Exception e) {
            ErrorCode code = e instanceof com.fasterxml.jackson.core.JacksonException ? ErrorCode.INVALID_ARGUMENT : ErrorCode.of(e);
            String path = e instanceof FileSystemException f ? f.getFile() : null;
            // A file system exception's message is "path: reason"; the path travels apart.
            String message = e instanceof FileSystemException f ? f.getReason() : String.valueOf(e.getMessage());
            if (code == ErrorCode.IO) LOG.log(Level.WARNING, "request failed", e);
            reply.set("error", Wire.JSON.valueToTree(new Wire.Failure(code.name(), path, message)));
        }
        return Wire.JSON.writeValueAsBytes(reply);
    }

    public Path socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (SocketChannel c : clients) c.close();
        acceptor.interrupt();
        Files.deleteIfExists(socket);
    }
}
