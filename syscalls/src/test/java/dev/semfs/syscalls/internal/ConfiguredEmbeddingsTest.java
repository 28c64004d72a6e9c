package dev.semfs.syscalls.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.IndexSetup;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.SearchResult;
import dev.semfs.syscalls.Workspace;
import dev.semfs.syscalls.Workspaces;
import dev.semfs.versioning.StoreOptions;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;

/** An embedding endpoint configured through the environment, served by a local fake OpenAI-compatible server. */
class ConfiguredEmbeddingsTest {
    @TempDir Path dir;

    /** A bag-of-letters vector: texts sharing words get similar vectors. */
    static float[] vector(String text) {
        float[] v = new float[8];
        for (char c : text.toLowerCase().toCharArray()) if (c >= 'a' && c <= 'z') v[(c - 'a') % 8] += 1;
        return v;
    }

    @Test
    void theIndexUsesTheEndpointTheEnvironmentNames() throws Exception {
        ObjectMapper json = new ObjectMapper();
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/embeddings", ex -> {
            calls.incrementAndGet();
            JsonNode req = json.readTree(ex.getRequestBody());
            assertEquals("Bearer secret", ex.getRequestHeaders().getFirst("Authorization"));
            ObjectNode body = json.createObjectNode();
            ArrayNode data = body.putArray("data");
            JsonNode input = req.get("input");
            for (int i = 0; i < input.size(); i++) {
                ObjectNode item = data.addObject();
                item.put("object", "embedding").put("index", i);
                ArrayNode emb = item.putArray("embedding");
                for (float f : vector(input.get(i).asText())) emb.add(f);
            }
            body.put("object", "list").put("model", req.get("model").asText());
            body.putObject("usage").put("prompt_tokens", 1).put("total_tokens", 1);
            byte[] out = json.writeValueAsBytes(body);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
        try {
            Map<String, String> env = Map.of(IndexSetup.URL, "http://127.0.0.1:" + server.getAddress().getPort() + "/v1",
                    IndexSetup.MODEL, "fake-embedder", IndexSetup.KEY, "secret", IndexSetup.DIMENSION, "8");
            IndexSetup setup = new IndexSetup(true, false, IndexSetup.fromEnvironment(env));
            try (Workspace ws = Workspaces.open(dir, StoreOptions.defaults(), setup)) {
                ws.call(Caller.owner(), new Op.WriteFile("/zzz.txt", "zzz zzz zzz".getBytes(StandardCharsets.UTF_8), false, false));
                ws.call(Caller.owner(), new Op.WriteFile("/abc.txt", "abc abc abc".getBytes(StandardCharsets.UTF_8), false, false));
                SearchResult r = ws.call(Caller.owner(), new Op.Search("zzz", 1, "semantic", null, null, null, null, null, null, null));
                assertEquals("/zzz.txt", r.results().getFirst().path());
                assertEquals("fake-embedder/8", r.model());
                assertTrue(calls.get() >= 2, "the endpoint embedded the files and the query");
            }
        } finally {
            server.stop(0);
        }
        assertThrows(IllegalArgumentException.class, () -> IndexSetup.fromEnvironment(Map.of(IndexSetup.URL, "http://x")));
    }
}
