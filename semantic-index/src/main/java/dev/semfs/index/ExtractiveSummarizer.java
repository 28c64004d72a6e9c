package dev.semfs.index;

import dev.semfs.index.internal.TextExtractor;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Summaries without a language model: the sentences that carry most of a text's vocabulary, in
 * their original order (Luhn's frequency method, with stop words left out and long sentences not
 * favoured). Deterministic, offline and fast, so every workspace can summarise; a configured
 * chat model can write better prose, but this one never invents anything: every sentence it
 * returns is in the file.
 */
public final class ExtractiveSummarizer {
    private static final Pattern WORD = Pattern.compile("\\p{L}[\\p{L}\\p{Nd}'-]*|\\p{Nd}+");
    private static final int MAX_SENTENCE_CHARS = 400;
    private static final Set<String> STOP = Set.of("a", "an", "and", "are", "as", "at", "be", "been", "but", "by",
            "can", "do", "does", "for", "from", "had", "has", "have", "he", "her", "his", "i", "if", "in", "into",
            "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "our", "she", "so", "than", "that", "the",
            "their", "them", "then", "there", "these", "they", "this", "those", "to", "too", "was", "we", "were",
            "what", "when", "which", "who", "will", "with", "would", "you", "your", "all", "also", "any", "each",
            "more", "most", "other", "some", "such", "only", "own", "same", "very", "just", "should", "could",
            "may", "might", "must", "shall", "about", "after", "before", "over", "under", "again", "once", "here");

    private ExtractiveSummarizer() {}

    /** The text of a file as the index sees it (PDF, Office and HTML extracted; binary gives ""). */
    public static String textOf(String path, byte[] content) {
        return TextExtractor.extract(path, content).text();
    }

    /** Up to {@code sentences} sentences of {@code text}, in their order; "" for a text without words. */
    public static String summarize(String text, int sentences) {
        if (sentences <= 0) throw new IllegalArgumentException("sentences must be positive: " + sentences);
        List<String> all = sentences(text);
        if (all.size() <= sentences) return String.join(" ", all);
        Map<String, Integer> freq = new HashMap<>();
        List<List<String>> words = new ArrayList<>(all.size());
        for (String s : all) {
            List<String> w = words(s);
            words.add(w);
            for (String x : w) freq.merge(x, 1, Integer::sum);
        }
        double[] score = new double[all.size()];
        for (int i = 0; i < all.size(); i++) {
            double sum = 0;
            for (String x : Set.copyOf(words.get(i))) sum += freq.get(x);
            // Square root of the length: a long sentence scores higher, but not in proportion,
            // so one run-on sentence does not crowd out two short informative ones.
            score[i] = words.get(i).isEmpty() ? 0 : sum / Math.sqrt(words.get(i).size());
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) order.add(i);
        order.sort(Comparator.<Integer>comparingDouble(i -> -score[i]).thenComparingInt(i -> i));
        List<Integer> picked = new ArrayList<>(order.subList(0, sentences));
        picked.sort(null);
        List<String> out = new ArrayList<>();
        for (int i : picked) out.add(all.get(i));
        return String.join(" ", out);
    }

    /** Sentences, with whitespace collapsed; lines without end punctuation (titles, list items) count as sentences. */
    static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        BreakIterator it = BreakIterator.getSentenceInstance(Locale.ROOT);
        for (String block : text.split("\\R\\s*\\R|\\R(?=\\s*([-*+#>]|\\d+[.)])\\s)")) {
            String flat = block.replaceAll("\\s+", " ").strip();
            if (flat.isEmpty()) continue;
            it.setText(flat);
            int start = it.first();
            for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
                String s = flat.substring(start, end).strip();
                if (s.length() > MAX_SENTENCE_CHARS) s = s.substring(0, MAX_SENTENCE_CHARS).strip() + "…";
                if (!words(s).isEmpty()) out.add(s);
            }
        }
        return out;
    }

    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(s.toLowerCase(Locale.ROOT));
        while (m.find()) {
            String w = m.group();
            if (w.length() > 1 && !STOP.contains(w)) out.add(w);
        }
        return out;
    }
}
