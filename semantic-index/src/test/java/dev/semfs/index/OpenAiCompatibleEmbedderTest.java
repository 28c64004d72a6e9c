package dev.semfs.index;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI-compatible embedding path, against a local HTTP server that speaks the
 * {@code POST /v1/embeddings} API (vectors from {@link HashingEmbedder}, not unit length, to
 * check the index normalises them).
 */
class OpenAiCompatibleEmbedderTest {
    static final int DIM = 48;
    @TempDir
    Path dir;
    HttpServer server;
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger inputs = new AtomicInteger();
    final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/embeddings", ex -> {
            JsonNode req = json.readTree(ex.getRequestBody());
            requests.add(req);
            if (!"Bearer test-key".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.sendResponseHeaders(401, -1);
                ex.close();
                return;
            }
            JsonNode input = req.get("input");
            List<String> texts = new java.util.ArrayList<>();
            if (input.isArray()) input.forEach(n -> texts.add(n.asText()));
            else texts.add(input.asText());
            inputs.addAndGet(texts.size());
            ObjectNode resp = json.createObjectNode();
            resp.put("object", "list");
            resp.put("model", req.get("model").asText());
            ArrayNode data = resp.putArray("data");
            for (int i = 0; i < texts.size(); i++) {
                ObjectNode d = data.addObject();
                d.put("object", "embedding");
                d.put("index", i);
                ArrayNode v = d.putArray("embedding");
                for (float x : HashingEmbedder.vector(texts.get(i), DIM)) v.add(x * 3.0f);
            }
            resp.putObject("usage").put("prompt_tokens", 1).put("total_tokens", 1);
            byte[] body = json.writeValueAsBytes(resp);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void indexesAndSearchesThroughTheEndpoint() throws IOException {
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        Embedder e = Embedders.openAiCompatible(base, "test-key", "fake-embed-1", DIM);
        assertEquals(new ModelInfo("fake-embed-1", DIM), e.model());
        try (SemanticIndex index = SemanticIndex.open(dir, e, IndexOptions.DEFAULT)) {
            index.upsertAll(List.of(
                    IndexDocument.of(1, "/zoo/otters.txt", 1, 0, "a", "otters swim in the river and eat fish".getBytes(StandardCharsets.UTF_8)),
                    IndexDocument.of(2, "/zoo/owls.txt", 1, 0, "a", "owls hunt mice at night in the forest".getBytes(StandardCharsets.UTF_8))));
            assertEquals(2, inputs.get(), "one input per passage");
            var hits = index.search(SearchRequest.of("owls at night", 2).withMode(SearchMode.SEMANTIC)).hits();
            assertEquals("/zoo/owls.txt", hits.getFirst().path());
            float[] q = HashingEmbedder.vector("owls at night", DIM);
            float[] d = HashingEmbedder.vector("owls hunt mice at night in the forest", DIM);
            double cos = 0;
            for (int i = 0; i < DIM; i++) cos += q[i] * d[i];
            // the server scales vectors by 3: only a normalising index reports the cosine
            assertEquals(cos, hits.getFirst().score(), 1e-4);
        }
        assertFalse(requests.isEmpty());
        requests.forEach(r -> assertEquals("fake-embed-1", r.get("model").asText()));
        assertEquals(new ModelInfo("fake-embed-1", DIM), SemanticIndex.storedModel(dir).orElseThrow());
    }

    @Test
    void dimensionCanBeAskedFromTheEndpointAndFailuresAreIoExceptions() {
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        assertEquals(DIM, Embedders.openAiCompatible(base, "test-key", "m", 0).model().dimension());
        Embedder wrongKey = Embedders.openAiCompatible(base, "bad-key", "m", DIM);
        assertThrows(IOException.class, () -> wrongKey.embedQuery("x"));
        Embedder wrongDim = Embedders.openAiCompatible(base, "test-key", "m", DIM + 1);
        assertThrows(IOException.class, () -> wrongDim.embedPassages(List.of("x")));
    }
}
