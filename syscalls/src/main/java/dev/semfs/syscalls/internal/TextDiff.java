package dev.semfs.syscalls.internal;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;
import dev.semfs.syscalls.DiffResult;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Line diffs (java-diff-utils, Myers) with the sections they touch: headings for Markdown, top-level lines for code. */
final class TextDiff {
    private TextDiff() {}

    static DiffResult diff(String path, long from, long to, byte[] a, byte[] b) {
        String ta = text(a);
        String tb = text(b);
        String fromLabel = from == 0 ? "/dev/null" : path + "@" + from;
        String toLabel = to < 0 ? path : path + "@" + to;
        if (ta == null || tb == null) {
            String summary = "Binary files " + fromLabel + " (" + a.length + " bytes) and " + toLabel + " (" + b.length
                    + " bytes) " + (java.util.Arrays.equals(a, b) ? "are identical" : "differ");
            return new DiffResult(path, from, to, summary + "\n", 0, 0, List.of(), true);
        }
        List<String> la = lines(ta);
        List<String> lb = lines(tb);
        Patch<String> patch = DiffUtils.diff(la, lb);
        List<String> unified = UnifiedDiffUtils.generateUnifiedDiff(fromLabel, toLabel, la, patch, 3);
        int added = 0, removed = 0;
        Set<String> sections = new LinkedHashSet<>();
        for (AbstractDelta<String> d : patch.getDeltas()) {
            added += d.getTarget().size();
            removed += d.getSource().size();
            String s = section(lb, d.getTarget().getPosition());
            if (s == null) s = section(la, d.getSource().getPosition());
            if (s != null) sections.add(s);
        }
        StringBuilder sb = new StringBuilder();
        for (String line : unified) sb.append(line).append('\n');
        return new DiffResult(path, from, to, sb.toString(), added, removed, new ArrayList<>(sections), false);
    }

    /** The nearest heading (Markdown "#") or, failing that, unindented line at or above {@code pos}. */
    static String section(List<String> lines, int pos) {
        String fallback = null;
        for (int i = Math.min(pos, lines.size() - 1); i >= 0; i--) {
            String l = lines.get(i);
            if (l.startsWith("#") && l.length() > 1 && (l.charAt(1) == '#' || l.charAt(1) == ' ')) return l.strip();
            if (fallback == null && i < pos && !l.isBlank() && !Character.isWhitespace(l.charAt(0))
                    && !l.startsWith("}") && !l.startsWith(")")) {
                fallback = l.strip();
            }
        }
        return fallback;
    }

    private static List<String> lines(String s) {
        if (s.isEmpty()) return List.of();
        List<String> out = new ArrayList<>(List.of(s.split("\n", -1)));
        if (out.getLast().isEmpty()) out.removeLast();
        return out;
    }

    /** The bytes as UTF-8 text, or null for binary content (a NUL byte, or invalid UTF-8). */
    static String text(byte[] data) {
        for (int i = 0; i < Math.min(data.length, 8192); i++) if (data[i] == 0) return null;
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
