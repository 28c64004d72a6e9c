package dev.semfs.syscalls.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.semfs.errors.ErrorCode;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Workspace;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A client of a running daemon over its Unix socket. Each call holds one connection for its
 * request and reply; a call made while others are under way opens another connection (a
 * progress poll beside a long rebuild). Errors come back as the same exception types a local
 * workspace throws. Thread-safe.
 */
public final class RemoteWorkspace implements Workspace {
    private final Path socket;
    private final java.util.concurrent.ConcurrentLinkedDeque<Conn> idle = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final java.util.Set<Conn> all = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private volatile boolean closed;

    private record Conn(SocketChannel channel, DataInputStream in, DataOutputStream out) {}

    private RemoteWorkspace(Path socket, Conn first) {
        this.socket = socket;
        idle.add(first);
        all.add(first);
    }

    public static RemoteWorkspace connect(Path socket) throws IOException {
        return new RemoteWorkspace(socket, open(socket));
    }

    private static Conn open(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new Conn(ch, new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 1 << 16)),
                new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)));
    }

    @Override
    public <R> R call(Caller caller, Op<R> op) throws IOException {
        if (closed) throw new dev.semfs.errors.SemfsException(ErrorCode.IO, null, "workspace is closed");
        Conn c = idle.poll();
        if (c == null) {
            c = open(socket);
            all.add(c);
        }
        boolean healthy = false;
        try {
            Object reply = exchange(c, caller, op);
            healthy = true; // a whole reply, result or error, leaves the connection in step
            if (reply instanceof Failed f) throw f.error();
            @SuppressWarnings("unchecked")
            R r = (R) reply;
            return r;
        } finally {
            if (healthy) {
                idle.push(c);
            } else {
                all.remove(c);
                c.channel().close();
            }
        }
    }

    /** An error reply, to be thrown once the connection is back in the pool. */
    private record Failed(IOException error) {}

    private static Object exchange(Conn c, Caller caller, Op<?> op) throws IOException {
        DataInputStream in = c.in();
        Wire.write(c.out(), Wire.JSON.writeValueAsBytes(new Wire.Request(Wire.FORMAT, caller, op)));
        byte[] frame = Wire.read(in);
        if (frame == null) throw new IOException("the semfs daemon closed the connection");
        JsonNode reply = Wire.JSON.readTree(frame);
        if (reply.has("error")) {
            Wire.Failure f = Wire.JSON.treeToValue(reply.get("error"), Wire.Failure.class);
            ErrorCode code;
            try {
                code = ErrorCode.valueOf(f.code());
            } catch (IllegalArgumentException unknown) {
                code = ErrorCode.IO;
            }
            return new Failed(code.toException(f.path(), f.message()));
        }
        return Wire.JSON.treeToValue(reply.get("result"), Wire.responseType(op.getClass()));
    }

    @Override
    public void close() throws IOException {
        closed = true;
        for (Conn c : all) c.channel().close();
        all.clear();
        idle.clear();
    }
}
