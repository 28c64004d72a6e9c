package dev.semfs.index.eval;

import dev.semfs.index.Embedder;
import dev.semfs.index.Embedders;
import dev.semfs.index.IndexDocument;
import dev.semfs.index.IndexOptions;
import dev.semfs.index.MiniLmVariant;
import dev.semfs.index.ModelInfo;
import dev.semfs.index.SearchMode;
import dev.semfs.index.SearchRequest;
import dev.semfs.index.SemanticIndex;
import dev.semfs.index.internal.PassageSplitter;
import dev.semfs.index.internal.TextExtractor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Indexing throughput against raw embedding throughput, and search latency at scale.
 *
 * <pre>
 * mvn -q -pl semantic-index compile exec:exec -Dsemfs.eval.main=dev.semfs.index.eval.IndexBench \
 *     -Dsemfs.eval.args="../shared/data/scifact [--variant q|full] [--files 1000] [--scales 10000,100000]
 *     [--skip-throughput] [--model-cache DIR]" 
 * </pre>
 *
 * <ol>
 * <li>Raw: the passages of the first {@code --files} SciFact abstracts embedded directly by the
 *     model, on as many threads as the index has workers (passages/s).
 * <li>Indexing: the same abstracts indexed into a fresh index through the public API
 *     ({@code upsertAll}, batches of 64, then commit): files/s, passages/s, and the ratio to raw.
 * <li>Latency: an index of N synthetic files per scale, made from SciFact sentences (each file a
 *     shuffled abstract plus a sentence of another, so texts are distinct). Embedding 300k passages
 *     for the 100k scale would take over an hour on 2 cores, so their vectors come from
 *     {@link ReplayEmbedder}: a real passage vector from step 1 plus seeded noise. Queries are the
 *     SciFact test queries, embedded by the real model inside each search, so latency includes
 *     query embedding.
 * </ol>
 */
public final class IndexBench {
    private IndexBench() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        MiniLmVariant variant = Embedders.DEFAULT_VARIANT;
        int files = 1000;
        boolean skipThroughput = false;
        int[] scales = {10_000, 100_000};
        Path modelCache = Embedders.defaultCacheDir();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--variant" -> variant = args[++i].equals("full") ? MiniLmVariant.FULL : MiniLmVariant.QUANTIZED;
                case "--files" -> files = Integer.parseInt(args[++i]);
                case "--skip-throughput" -> skipThroughput = true;
                case "--scales" -> scales = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--model-cache" -> modelCache = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        SciFactEval.Corpus corpus = SciFactEval.loadCorpus(data.resolve("corpus.jsonl"));
        Map<String, String> queries = SciFactEval.loadQueries(data.resolve("queries.jsonl"));
        List<String> testQueries = new ArrayList<>();
        for (String id : SciFactEval.loadQrels(data.resolve("qrels/test.tsv")).keySet()) {
            testQueries.add(queries.get(id));
        }
        int workers = IndexOptions.DEFAULT.effectiveWorkers();
        System.out.printf(Locale.ROOT, "cores %d, workers %d, java %s, max heap %d MB%n",
                Runtime.getRuntime().availableProcessors(), workers, Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20);
        long t0 = System.nanoTime();
        try (Embedder model = Embedders.miniLm(variant, modelCache)) {
            System.out.printf(Locale.ROOT, "model %s loaded in %.2f s, RSS %d MB%n", model.model(),
                    (System.nanoTime() - t0) / 1e9, rssMb());
            // Raw embedding and indexing alternate on consecutive slices of the corpus (raw first
            // in even rounds, indexing first in odd ones), so both see the same machine load;
            // the ratio is the median of the per-round ratios.
            int rounds = skipThroughput ? 1 : 5;
            if (skipThroughput) {
                files = 100; // one small round, for the pool of real vectors the latency indexes replay
            }
            int per = Math.max(1, Math.min(files, corpus.docs().size()) / rounds);
            List<float[]> pool = new ArrayList<>();
            List<Double> rawRates = new ArrayList<>();
            List<Double> idxRates = new ArrayList<>();
            List<Double> fileRates = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            Path dir = Files.createTempDirectory("semfs-bench");
            try (SemanticIndex index = SemanticIndex.open(dir, model, IndexOptions.DEFAULT)) {
                model.embedPassages(List.of("warm up the model", "and the tokenizer")); // warm-up
                for (int r = 0; r < rounds; r++) {
                    List<IndexDocument> slice = corpus.docs().subList(r * per, (r + 1) * per);
                    List<String> passages = new ArrayList<>();
                    for (IndexDocument d : slice) {
                        for (var p : PassageSplitter.split(TextExtractor.extract(d.path(), d.content()).text())) {
                            passages.add(p.text());
                        }
                    }
                    double raw = 0;
                    double idx = 0;
                    double fps = 0;
                    for (int step = 0; step < 2; step++) {
                        if ((step == 0) == (r % 2 == 0)) {
                            long t = System.nanoTime();
                            pool.addAll(embedParallel(model, passages, workers));
                            raw = passages.size() / ((System.nanoTime() - t) / 1e9);
                        } else {
                            long before = index.stats().passages();
                            long t = System.nanoTime();
                            for (int i = 0; i < slice.size(); i += 64) {
                                index.upsertAll(slice.subList(i, Math.min(i + 64, slice.size())));
                            }
                            index.commit(r + 1);
                            double secs = (System.nanoTime() - t) / 1e9;
                            idx = (index.stats().passages() - before) / secs;
                            fps = slice.size() / secs;
                        }
                    }
                    rawRates.add(raw);
                    idxRates.add(idx);
                    fileRates.add(fps);
                    ratios.add(idx / raw);
                    System.out.printf(Locale.ROOT, "round %d: %d files, %d passages: raw %.1f passages/s, indexing %.1f "
                            + "passages/s (%.1f files/s), ratio %.0f%%%n", r, slice.size(), passages.size(), raw, idx,
                            fps, 100 * idx / raw);
                }
                var st = index.stats();
                System.out.printf(Locale.ROOT, "throughput medians: raw %.1f passages/s, indexing %.1f passages/s = "
                        + "%.1f files/s, ratio %.0f%%; embedded %d, reused %d; RSS %d MB%n", median(rawRates),
                        median(idxRates), median(fileRates), 100 * median(ratios), st.embedded(), st.reused(), rssMb());
            } finally {
                SciFactEval.deleteTree(dir);
            }

            for (int n : scales) {
                latency(n, corpus, pool, model, testQueries);
            }
        }
    }

    static List<float[]> embedParallel(Embedder model, List<String> texts, int threads) throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        try {
            int chunk = 16;
            List<Future<List<float[]>>> fs = new ArrayList<>();
            for (int i = 0; i < texts.size(); i += chunk) {
                List<String> part = texts.subList(i, Math.min(i + chunk, texts.size()));
                fs.add(ex.submit(() -> model.embedPassages(part)));
            }
            List<float[]> out = new ArrayList<>();
            for (var f : fs) out.addAll(f.get());
            return out;
        } finally {
            ex.shutdown();
        }
    }

    private static void latency(int n, SciFactEval.Corpus corpus, List<float[]> pool, Embedder model,
                                List<String> queries) throws IOException {
        Path dir = Files.createTempDirectory("semfs-bench-" + n);
        Random rnd = new Random(42);
        ReplayEmbedder replay = new ReplayEmbedder(model, pool, 42);
        long t0 = System.nanoTime();
        try (SemanticIndex index = SemanticIndex.open(dir, replay, IndexOptions.DEFAULT)) {
            List<IndexDocument> batch = new ArrayList<>();
            List<IndexDocument> docs = corpus.docs();
            for (int j = 0; j < n; j++) {
                IndexDocument base = docs.get(j % docs.size());
                String text = new String(base.content(), StandardCharsets.UTF_8);
                List<String> sentences = new ArrayList<>(Arrays.asList(text.split("(?<=\\.) ")));
                Collections.shuffle(sentences, rnd);
                String other = new String(docs.get(rnd.nextInt(docs.size())).content(), StandardCharsets.UTF_8);
                String[] os = other.split("(?<=\\.) ");
                sentences.add(os[rnd.nextInt(os.length)]);
                byte[] content = String.join(" ", sentences).getBytes(StandardCharsets.UTF_8);
                batch.add(new IndexDocument(j + 1, "/synth/d" + (j % 100) + "/" + j + ".txt", 1, content.length,
                        1_600_000_000_000L + j * 60_000L, "agent" + (j % 7), content));
                if (batch.size() == 256) {
                    index.upsertAll(batch);
                    batch.clear();
                }
            }
            index.upsertAll(batch);
            index.commit(n);
        } // close waits for background merges: latency is measured on a settled index, not during merging
        try (SemanticIndex index = SemanticIndex.open(dir, replay, IndexOptions.DEFAULT)) {
            var st = index.stats();
            System.out.printf(Locale.ROOT, "scale %d: built %d files, %d passages in %.1f s (replayed vectors); "
                    + "index %.1f MB = %.1f KB/file%n", n, st.files(), st.passages(), (System.nanoTime() - t0) / 1e9,
                    st.sizeBytes() / 1e6, st.sizeBytes() / 1024.0 / st.files());
            SearchRequest.Filters prefix = SearchRequest.Filters.NONE.withPathPrefix("/synth/d7");
            for (String label : new String[] {"hybrid", "semantic", "keyword", "hybrid+prefix"}) {
                SearchMode mode = switch (label) {
                    case "semantic" -> SearchMode.SEMANTIC;
                    case "keyword" -> SearchMode.KEYWORD;
                    default -> SearchMode.HYBRID;
                };
                SearchRequest.Filters f = label.endsWith("prefix") ? prefix : SearchRequest.Filters.NONE;
                for (int w = 0; w < 100; w++) { // warm-up
                    String q = queries.get(w % queries.size());
                    index.search(new SearchRequest(mode == SearchMode.KEYWORD ? SciFactEval.orQuery(q) : q, 10, mode, f));
                }
                List<Long> times = new ArrayList<>();
                for (int round = 0; round < 2; round++) {
                    for (String q : queries) {
                        String text = mode == SearchMode.KEYWORD ? SciFactEval.orQuery(q) : q;
                        long s = System.nanoTime();
                        index.search(new SearchRequest(text, 10, mode, f));
                        times.add(System.nanoTime() - s);
                    }
                }
                Collections.sort(times);
                System.out.printf(Locale.ROOT, "scale %d %-14s p50 %.2f ms  p99 %.2f ms  (%d queries, k=10)%n", n, label,
                        times.get(times.size() / 2) / 1e6, times.get((int) (times.size() * 0.99)) / 1e6, times.size());
            }
            List<Long> embedTimes = new ArrayList<>();
            for (String q : queries) {
                long s = System.nanoTime();
                model.embedQuery(q);
                embedTimes.add(System.nanoTime() - s);
            }
            Collections.sort(embedTimes);
            System.gc();
            var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            System.out.printf(Locale.ROOT, "scale %d query embedding alone p50 %.2f ms; heap used after GC %d MB, RSS %d MB%n",
                    n, embedTimes.get(embedTimes.size() / 2) / 1e6, heap.getUsed() >> 20, rssMb());
        } finally {
            SciFactEval.deleteTree(dir);
        }
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    static long rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }

    /**
     * Passage vectors replayed from a pool of real ones, plus seeded noise (so no two files share
     * a vector); queries go to the real model. For building large latency-benchmark indexes only.
     */
    static final class ReplayEmbedder implements Embedder {
        private final Embedder real;
        private final List<float[]> pool;
        private final long seed;

        ReplayEmbedder(Embedder real, List<float[]> pool, long seed) {
            this.real = real;
            this.pool = pool;
            this.seed = seed;
        }

        @Override
        public ModelInfo model() {
            return real.model();
        }

        @Override
        public List<float[]> embedPassages(List<String> texts) {
            List<float[]> out = new ArrayList<>(texts.size());
            for (String t : texts) {
                Random r = new Random(seed ^ t.hashCode());
                float[] base = pool.get(r.nextInt(pool.size()));
                float[] v = new float[base.length];
                double norm = 0;
                for (int i = 0; i < v.length; i++) {
                    v[i] = base[i] + (float) (r.nextGaussian() * 0.02);
                    norm += v[i] * v[i];
                }
                float inv = (float) (1 / Math.sqrt(norm));
                for (int i = 0; i < v.length; i++) v[i] *= inv;
                out.add(v);
            }
            return out;
        }

        @Override
        public float[] embedQuery(String query) throws IOException {
            return real.embedQuery(query);
        }

        @Override
        public long embeddedCount() {
            return real.embeddedCount();
        }
    }
}
