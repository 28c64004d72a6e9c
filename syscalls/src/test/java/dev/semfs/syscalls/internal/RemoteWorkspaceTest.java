package dev.semfs.syscalls.internal;

import dev.semfs.errors.ErrorCode;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Every core API test again, through a daemon's Unix socket, the way a second `semfs` process talks to a mount. */
class RemoteWorkspaceTest extends LocalWorkspaceTest {
    private LoopbackDaemon daemon;

    @BeforeEach
    @Override
    void open() throws IOException {
        daemon = new LoopbackDaemon(Workspaces.open(dir, StoreOptions.defaults().withAvgChunkSize(8192).withClock(clock)), dir);
        ws = daemon.client;
        registerAgents();
    }

    @AfterEach
    @Override
    void close() throws IOException {
        daemon.close();
    }

    @Test
    void malformedRequestsGetAClearErrorAndTheConnectionGoesOn() throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(Workspaces.socketOf(dir)));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            for (String bad : new String[]{"{not json", "{\"format\":1,\"caller\":{\"agent\":\"a\",\"uid\":-1,\"gid\":-1,\"via\":\"x\"},\"op\":{\"type\":\"Nope\"}}", "{}"}) {
                byte[] b = bad.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
                out.flush();
                byte[] reply = new byte[in.readInt()];
                in.readFully(reply);
                String text = new String(reply, StandardCharsets.UTF_8);
                assertTrue(text.contains("\"error\"") && text.contains("INVALID_ARGUMENT"), text);
            }
        }
        // ... and the daemon still serves everyone else.
        ws.call(Caller.owner(), new Op.WriteFile("/ok", "fine".getBytes(), false, false));
        assertEquals("fine", new String(ws.call(Caller.owner(), new Op.ReadFile("/ok", 0, -1)).data()));
    }

    @Test
    void errorsKeepTheirTypesAcrossTheSocket() {
        IOException e = assertThrows(IOException.class, () -> ws.call(Caller.owner(), new Op.ReadFile("/missing", 0, -1)));
        assertInstanceOf(java.nio.file.NoSuchFileException.class, e);
        assertEquals(ErrorCode.NOT_FOUND, ErrorCode.of(e));
    }
}
