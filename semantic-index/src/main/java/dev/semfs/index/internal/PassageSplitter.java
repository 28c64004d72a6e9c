package dev.semfs.index.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into overlapping windows of whole words, small enough that the embedding model
 * sees all of each (all-MiniLM-L6-v2 reads at most 256 word pieces; {@value #MAX_WORDS} words or
 * {@value #MAX_CHARS} characters stay under that even for technical text and code).
 *
 * <p>Each passage keeps its byte range in the UTF-8 encoding of the text. Stateless, thread-safe.
 */
public final class PassageSplitter {
    static final int MAX_WORDS = 100;
    static final int MAX_CHARS = 700;
    static final int OVERLAP_WORDS = 20;

    /**
     * One passage.
     *
     * @param start first byte (UTF-8 of the text), inclusive
     * @param end byte after the passage
     */
    public record Passage(int ordinal, String text, long start, long end) {
    }

    private PassageSplitter() {
    }

    public static List<Passage> split(String text) {
        // Word boundaries as char offsets: [ws[i], we[i]).
        int n = text.length();
        int[] ws = new int[16];
        int[] we = new int[16];
        int count = 0;
        int i = 0;
        while (i < n) {
            while (i < n && Character.isWhitespace(text.charAt(i))) i++;
            if (i >= n) break;
            int s = i;
            while (i < n && !Character.isWhitespace(text.charAt(i)) && i - s < MAX_CHARS / 2) i++;
            if (count == ws.length) {
                ws = java.util.Arrays.copyOf(ws, count * 2);
                we = java.util.Arrays.copyOf(we, count * 2);
            }
            ws[count] = s;
            we[count] = i;
            count++;
        }
        List<Passage> out = new ArrayList<>();
        if (count == 0) {
            return out;
        }
        // Word boundaries are increasing, so one pass converts them all to UTF-8 byte offsets.
        long[] bs = new long[count];
        long[] be = new long[count];
        long bytePos = 0;
        int charPos = 0;
        for (int w = 0; w < count; w++) {
            bytePos += utf8Length(text, charPos, ws[w]);
            bs[w] = bytePos;
            bytePos += utf8Length(text, ws[w], we[w]);
            be[w] = bytePos;
            charPos = we[w];
        }
        int first = 0;
        while (first < count) {
            int last = first; // exclusive end index of words
            while (last < count && last - first < MAX_WORDS && we[last] - ws[first] <= MAX_CHARS) last++;
            if (last == first) last = first + 1;
            int cs = ws[first];
            int ce = we[last - 1];
            out.add(new Passage(out.size(), text.substring(cs, ce), bs[first], be[last - 1]));
            if (last >= count) break;
            int taken = last - first;
            first = last - Math.min(OVERLAP_WORDS, taken / 3);
        }
        return out;
    }

    static long utf8Length(CharSequence s, int from, int to) {
        long len = 0;
        for (int k = from; k < to; k++) {
            char c = s.charAt(k);
            if (c < 0x80) {
                len += 1;
            } else if (c < 0x800) {
                len += 2;
            } else if (Character.isHighSurrogate(c) && k + 1 < to && Character.isLowSurrogate(s.charAt(k + 1))) {
                len += 4;
                k++;
            } else {
                len += 3;
            }
        }
        return len;
    }
}
