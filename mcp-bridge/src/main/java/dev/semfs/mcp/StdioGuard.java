package dev.semfs.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Stands between the stdio streams and the SDK's transport: a line that is not a JSON-RPC
 * message gets a JSON-RPC error reply (parse error, invalid request) here and never reaches the
 * SDK, whose session would otherwise end on it, dropping the client. Replies are written a whole
 * line at a time, so the guard's and the SDK's never interleave.
 */
final class StdioGuard {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InputStream rawIn;
    private final OutputStream rawOut;
    private final Object writeLock = new Object();
    private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

    StdioGuard(InputStream in, OutputStream out) {
        this.rawIn = new java.io.BufferedInputStream(in);
        this.rawOut = out;
    }

    /** The messages for the SDK: only well-formed JSON-RPC lines; -1 at the client's end of stream. */
    InputStream in() {
        return new InputStream() {
            private byte[] line = new byte[0];
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (pos >= line.length) {
                    byte[] next = nextValidLine();
                    if (next == null) return -1;
                    line = next;
                    pos = 0;
                }
                int n = Math.min(len, line.length - pos);
                System.arraycopy(line, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    /** Waits until the client has closed its end of the stream (and the SDK has read to that end). */
    void awaitEnd() throws InterruptedException {
        ended.await();
    }

    /** The SDK's output, a line at a time. */
    OutputStream out() {
        return new OutputStream() {
            private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) throws IOException {
                int start = off;
                for (int i = off; i < off + len; i++) {
                    if (b[i] != '\n') continue;
                    pending.write(b, start, i + 1 - start);
                    emit();
                    start = i + 1;
                }
                pending.write(b, start, off + len - start);
            }

            /** Nothing to do: a line goes out as soon as it is complete, and half a line never does. */
            @Override
            public void flush() {
            }

            private void emit() throws IOException {
                writeLine(pending.toByteArray());
                pending.reset();
            }
        };
    }

    private void writeLine(byte[] bytes) throws IOException {
        synchronized (writeLock) {
            rawOut.write(bytes);
            rawOut.flush();
        }
    }

    private byte[] nextValidLine() throws IOException {
        while (true) {
            byte[] raw = readLine();
            if (raw == null) {
                ended.countDown();
                return null;
            }
            String text = new String(raw, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) continue;
            String problem;
            JsonNode msg = null;
            try {
                msg = JSON.readTree(text);
                problem = invalid(msg);
            } catch (IOException e) {
                reply(null, -32700, "Parse error: not JSON (" + firstLine(e.getMessage()) + ")");
                continue;
            }
            if (problem == null) return (text + "\n").getBytes(StandardCharsets.UTF_8);
            reply(msg.isObject() ? msg.get("id") : null, -32600, "Invalid Request: " + problem);
        }
    }

    /** Why a parsed line is not a JSON-RPC 2.0 message the SDK can take, or null. */
    private static String invalid(JsonNode msg) {
        if (!msg.isObject()) return "a message is a JSON object (batches are not supported)";
        if (!"2.0".equals(msg.path("jsonrpc").asText(null))) return "\"jsonrpc\": \"2.0\" is missing";
        boolean request = msg.hasNonNull("method");
        boolean response = msg.has("result") || msg.has("error");
        if (!request && !response) return "neither a request (method) nor a response (result or error)";
        if (request && !msg.get("method").isTextual()) return "method must be a string";
        if (msg.has("params") && !msg.get("params").isObject() && !msg.get("params").isNull()) return "params must be an object";
        JsonNode id = msg.get("id");
        if (id != null && !id.isNull() && !id.isTextual() && !id.isIntegralNumber()) return "id must be a string or an integer";
        return null;
    }

    private void reply(JsonNode id, int code, String message) throws IOException {
        ObjectNode r = JSON.createObjectNode();
        r.put("jsonrpc", "2.0");
        r.set("id", id == null ? JSON.nullNode() : id);
        r.putObject("error").put("code", code).put("message", message);
        writeLine((JSON.writeValueAsString(r) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private byte[] readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = rawIn.read()) >= 0) {
            if (c == '\n') return b.toByteArray();
            b.write(c);
        }
        return b.size() > 0 ? b.toByteArray() : null;
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
