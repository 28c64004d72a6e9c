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
 * A client of a running daemon over its Unix socket. Calls are serialised over one connection;
 * errors come back as the same exception types a local workspace throws. Thread-safe.
 */
public final class RemoteWorkspace implements Workspace {
    private final SocketChannel channel;
    private final DataInputStream in;
    private final DataOutputStream out;

    private RemoteWorkspace(SocketChannel channel) {
        this.channel = channel;
        this.in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
    }

    public static RemoteWorkspace connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new RemoteWorkspace(ch);
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized <R> R call(Caller caller, Op<R> op) throws IOException {
        Wire.write(out, Wire.JSON.writeValueAsBytes(new Wire.Request(Wire.FORMAT, caller, op)));
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
            throw code.toException(f.path(), f.message());
        }
        return (R) Wire.JSON.treeToValue(reply.get("result"), Wire.responseType(op.getClass()));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
