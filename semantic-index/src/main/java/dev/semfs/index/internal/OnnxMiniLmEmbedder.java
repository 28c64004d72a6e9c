package dev.semfs.index.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.semfs.index.Embedder;
import dev.semfs.index.MiniLmVariant;
import dev.semfs.index.ModelInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * all-MiniLM-L6-v2 in-process through LangChain4j's ONNX runtime wrapper, loaded from files
 * extracted once from the model's Maven artifact.
 *
 * <p>Why extract: the tokenizer.json shipped in the jar truncates every text at 128 tokens and
 * pads every input to 128. We write a copy with truncation at {@link #MAX_TOKENS} (what the model
 * was trained with) and no padding: the end of a passage then counts, and a 10-token query costs
 * 10 tokens of compute, not 128. Loading the ONNX file by path also keeps the model bytes off the
 * Java heap. The cache layout is {@code <cacheDir>/<variant>-t<MAX_TOKENS>/{model.onnx,
 * tokenizer.json}}, written to temporary names and renamed, so a crash never leaves a half file.
 *
 * <p>Thread-safe: ONNX Runtime sessions and the HuggingFace tokenizer allow concurrent calls.
 * Each call runs in the calling thread (the index parallelises across its own workers).
 */
public final class OnnxMiniLmEmbedder implements Embedder {
    /** Token limit written into the extracted tokenizer (sentence-transformers' max_seq_length). */
    public static final int MAX_TOKENS = 256;
    private static final int DIMENSION = 384;

    private final AbstractInProcessEmbeddingModel model;
    private final ModelInfo info;
    private final AtomicLong embedded = new AtomicLong();

    private OnnxMiniLmEmbedder(AbstractInProcessEmbeddingModel model, ModelInfo info) {
        this.model = model;
        this.info = info;
    }

    public static OnnxMiniLmEmbedder load(MiniLmVariant variant, Path cacheDir) throws IOException {
        Path dir = cacheDir.resolve(variant.resource() + "-t" + MAX_TOKENS);
        Path onnx = dir.resolve("model.onnx");
        Path tokenizer = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(onnx) || !Files.isRegularFile(tokenizer)) {
            Files.createDirectories(dir);
            try (InputStream in = resource(variant.resource() + ".onnx")) {
                writeAtomically(dir, onnx, in.readAllBytes());
            }
            try (InputStream in = resource(variant.resource() + "-tokenizer.json")) {
                writeAtomically(dir, tokenizer, patchTokenizer(in.readAllBytes()));
            }
        }
        try {
            // One intra-op thread and no spin-waiting: the index runs one embedding per core on its
            // own workers, and ONNX Runtime's default (a thread per core per call, spinning) made
            // concurrent calls fight over the cores (measured: 2 workers x default threads
            // 18.6 passages/s, 2 workers x 1 thread 25.2/s; query 7.2 ms vs 2.1 ms).
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            OrtSession session = env.createSession(onnx.toString(), options);
            OnnxBertBiEncoder encoder;
            try (InputStream tok = Files.newInputStream(tokenizer)) {
                encoder = new OnnxBertBiEncoder(env, session, tok, PoolingMode.MEAN);
            }
            // Runnable::run: embedAll runs in the caller's thread; the index owns the parallelism.
            AbstractInProcessEmbeddingModel m = new AbstractInProcessEmbeddingModel(Runnable::run) {
                @Override
                protected OnnxBertBiEncoder model() {
                    return encoder;
                }
            };
            return new OnnxMiniLmEmbedder(m, new ModelInfo(variant.resource(), DIMENSION));
        } catch (OrtException e) {
            throw new IOException("cannot load " + onnx + ": " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = OnnxMiniLmEmbedder.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException("model resource " + name + " is not on the class path (is its langchain4j-embeddings "
                    + "artifact a dependency?)");
        }
        return in;
    }

    static byte[] patchTokenizer(byte[] json) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(json);
        ObjectNode trunc = root.putObject("truncation");
        trunc.put("direction", "Right");
        trunc.put("max_length", MAX_TOKENS);
        trunc.put("strategy", "LongestFirst");
        trunc.put("stride", 0);
        root.putNull("padding");
        return mapper.writeValueAsBytes(root);
    }

    private static void writeAtomically(Path dir, Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public ModelInfo model() {
        return info;
    }

    @Override
    public List<float[]> embedPassages(List<String> texts) throws IOException {
        List<float[]> out = new ArrayList<>(texts.size());
        try {
            for (String t : texts) {
                // One text per call: no padding to a common length, and no gain from batching
                // was measured on ONNX Runtime's CPU provider with 2 cores.
                Embedding e = model.embed(TextSegment.from(t.isBlank() ? "(empty)" : t)).content();
                out.add(Vectors.checkedUnit(e.vector(), info));
                embedded.incrementAndGet();
            }
        } catch (RuntimeException e) {
            throw new IOException("embedding with " + info + " failed: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public float[] embedQuery(String query) throws IOException {
        return embedPassages(List.of(query)).getFirst();
    }

    @Override
    public long embeddedCount() {
        return embedded.get();
    }
}
