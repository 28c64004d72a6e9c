package dev.semfs.index.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semfs.index.Embedder;
import dev.semfs.index.Embedders;
import dev.semfs.index.IndexDocument;
import dev.semfs.index.IndexOptions;
import dev.semfs.index.MiniLmVariant;
import dev.semfs.index.SearchHit;
import dev.semfs.index.SearchMode;
import dev.semfs.index.SearchRequest;
import dev.semfs.index.SemanticIndex;
import dev.semfs.index.internal.LuceneSemanticIndex;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * nDCG@10 of keyword, semantic and hybrid search on BEIR SciFact, each abstract indexed as one
 * file "/scifact/&lt;_id&gt;.txt" (title, blank line, text) through the public API.
 *
 * <pre>
 * mvn -q -pl semantic-index compile exec:exec \
 *     -Dsemfs.eval.args="../shared/data/scifact [--variant q|full] [--index DIR] [--tune]"
 * </pre>
 * (run from the repository root; the data path is relative to it).
 * {@code --tune} searches the hybrid fusion parameters on qrels/train.tsv and reports test
 * figures with the best ones (test queries are never used for tuning). {@code --index DIR} keeps
 * the index between runs (it is reused if it holds the whole corpus).
 */
public final class SciFactEval {
    private SciFactEval() {
    }

    record Corpus(List<IndexDocument> docs, Map<Long, String> idByIno) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: SciFactEval SCIFACT_DIR [--variant q|full] [--index DIR] [--tune] [--model-cache DIR]");
            System.exit(2);
        }
        Path data = Path.of(args[0]);
        MiniLmVariant variant = Embedders.DEFAULT_VARIANT;
        Path indexDir = null;
        boolean tune = false;
        Path modelCache = Embedders.defaultCacheDir();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--variant" -> variant = args[++i].equals("full") ? MiniLmVariant.FULL : MiniLmVariant.QUANTIZED;
                case "--index" -> indexDir = Path.of(args[++i]);
                case "--tune" -> tune = true;
                case "--model-cache" -> modelCache = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Corpus corpus = loadCorpus(data.resolve("corpus.jsonl"));
        Map<String, String> queries = loadQueries(data.resolve("queries.jsonl"));
        Map<String, Map<String, Integer>> test = loadQrels(data.resolve("qrels/test.tsv"));
        Map<String, Map<String, Integer>> train = loadQrels(data.resolve("qrels/train.tsv"));
        boolean temp = indexDir == null;
        if (temp) {
            indexDir = Files.createTempDirectory("scifact-index");
        }
        try (Embedder model = Embedders.miniLm(variant, modelCache);
             SemanticIndex index = SemanticIndex.open(indexDir, model,
                     IndexOptions.DEFAULT.withOnModelChange(IndexOptions.OnModelChange.RESET))) {
            System.out.printf(Locale.ROOT, "model %s, %d docs, %d test queries, %d train queries%n", model.model(),
                    corpus.docs().size(), test.size(), train.size());
            if (index.stats().files() != corpus.docs().size()) {
                index.clear();
                long t0 = System.nanoTime();
                for (int i = 0; i < corpus.docs().size(); i += 64) {
                    index.upsertAll(corpus.docs().subList(i, Math.min(i + 64, corpus.docs().size())));
                }
                index.commit(1);
                double secs = (System.nanoTime() - t0) / 1e9;
                var st = index.stats();
                System.out.printf(Locale.ROOT, "indexed %d files, %d passages in %.1f s (%.1f passages/s)%n",
                        st.files(), st.passages(), secs, st.passages() / secs);
            }
            LuceneSemanticIndex lucene = (LuceneSemanticIndex) index;
            if (tune) {
                tuneFusion(lucene, corpus, queries, train);
            }
            System.out.printf(Locale.ROOT, "fusion %s%n", lucene.fusion());
            for (SearchMode mode : SearchMode.values()) {
                double test10 = ndcg(index, corpus, queries, test, mode);
                System.out.printf(Locale.ROOT, "nDCG@10 test %-8s %.4f%n", mode, test10);
            }
        } finally {
            if (temp) {
                deleteTree(indexDir);
            }
        }
    }

    private static void tuneFusion(LuceneSemanticIndex index, Corpus corpus, Map<String, String> queries,
                                   Map<String, Map<String, Integer>> train) throws IOException {
        LuceneSemanticIndex.Fusion best = index.fusion();
        double bestScore = -1;
        for (double k : new double[] {5, 10, 20, 40, 60, 100}) {
            for (double wb : new double[] {0.5, 0.75, 1.0, 1.25, 1.5, 2.0}) {
                var f = new LuceneSemanticIndex.Fusion(k, wb, 1.0, 100);
                index.setFusion(f);
                double s = ndcg(index, corpus, queries, train, SearchMode.HYBRID);
                System.out.printf(Locale.ROOT, "train hybrid %s -> %.4f%n", f, s);
                if (s > bestScore) {
                    bestScore = s;
                    best = f;
                }
            }
        }
        for (int depth : new int[] {20, 50}) {
            var f = new LuceneSemanticIndex.Fusion(best.rrfK(), best.bm25Weight(), 1.0, depth);
            index.setFusion(f);
            double s = ndcg(index, corpus, queries, train, SearchMode.HYBRID);
            System.out.printf(Locale.ROOT, "train hybrid %s -> %.4f%n", f, s);
            if (s > bestScore + 0.001) {
                bestScore = s;
                best = f;
            }
        }
        index.setFusion(best);
        System.out.printf(Locale.ROOT, "best on train: %s -> %.4f%n", best, bestScore);
        for (SearchMode mode : new SearchMode[] {SearchMode.KEYWORD, SearchMode.SEMANTIC}) {
            System.out.printf(Locale.ROOT, "nDCG@10 train %-8s %.4f%n", mode, ndcg(index, corpus, queries, train, mode));
        }
    }

    /** Mean nDCG@10 over the queries of {@code qrels}; keyword mode uses OR semantics (BM25 ranking). */
    static double ndcg(SemanticIndex index, Corpus corpus, Map<String, String> queries,
                       Map<String, Map<String, Integer>> qrels, SearchMode mode) throws IOException {
        double sum = 0;
        for (var e : qrels.entrySet()) {
            String q = queries.get(e.getKey());
            String text = mode == SearchMode.KEYWORD ? orQuery(q) : q;
            List<SearchHit> hits = index.search(new SearchRequest(text, 10, mode, SearchRequest.Filters.NONE)).hits();
            List<String> ranked = new ArrayList<>();
            for (SearchHit h : hits) {
                ranked.add(corpus.idByIno().get(h.ino()));
            }
            sum += ndcgAt10(ranked, e.getValue());
        }
        return sum / qrels.size();
    }

    /** Keyword mode is boolean (AND by default); BEIR's BM25 baseline ranks any match, so ask for OR. */
    static String orQuery(String q) {
        List<String> words = new ArrayList<>();
        for (String w : q.split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty() && !w.equals("AND") && !w.equals("OR") && !w.equals("NOT")) {
                words.add(w);
            }
        }
        return String.join(" OR ", words);
    }

    static double ndcgAt10(List<String> ranked, Map<String, Integer> rel) {
        double dcg = 0;
        for (int i = 0; i < Math.min(10, ranked.size()); i++) {
            int g = rel.getOrDefault(ranked.get(i), 0);
            dcg += (Math.pow(2, g) - 1) / (Math.log(i + 2) / Math.log(2));
        }
        List<Integer> ideal = new ArrayList<>(rel.values());
        ideal.sort((a, b) -> b - a);
        double idcg = 0;
        for (int i = 0; i < Math.min(10, ideal.size()); i++) {
            idcg += (Math.pow(2, ideal.get(i)) - 1) / (Math.log(i + 2) / Math.log(2));
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }

    static Corpus loadCorpus(Path file) throws IOException {
        ObjectMapper m = new ObjectMapper();
        List<IndexDocument> docs = new ArrayList<>();
        Map<Long, String> ids = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long ino = 1;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) continue;
                JsonNode n = m.readTree(line);
                String id = n.get("_id").asText();
                String content = n.path("title").asText("") + "\n\n" + n.path("text").asText("");
                byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
                docs.add(new IndexDocument(ino, "/scifact/" + id + ".txt", 1, bytes.length, 0L, "scifact", bytes));
                ids.put(ino, id);
                ino++;
            }
        }
        return new Corpus(docs, ids);
    }

    static Map<String, String> loadQueries(Path file) throws IOException {
        ObjectMapper m = new ObjectMapper();
        Map<String, String> out = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode n = m.readTree(line);
            out.put(n.get("_id").asText(), n.get("text").asText());
        }
        return out;
    }

    static Map<String, Map<String, Integer>> loadQrels(Path file) throws IOException {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            String[] p = line.split("\t");
            if (p.length < 3) continue;
            out.computeIfAbsent(p[0], k -> new HashMap<>()).put(p[1], Integer.parseInt(p[2].trim()));
        }
        return out;
    }

    static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
