package dev.semfs.index.internal;

import dev.semfs.index.ContentType;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.poi.extractor.ExtractorFactory;
import org.apache.poi.extractor.POITextExtractor;
import org.jsoup.Jsoup;

/**
 * Turns file bytes into indexable text, per content type: text, Markdown, source code, JSON and
 * CSV are decoded as UTF-8 (so passage ranges map back to the file's bytes); HTML goes through
 * jsoup, PDF through PDFBox, Office documents (doc/docx/xls/xlsx/ppt/pptx) through Apache POI;
 * anything else is a binary, represented by its name only.
 *
 * <p>Why PDFBox and POI directly rather than Apache Tika: Tika's PDF and Office parsers are these
 * same libraries underneath, while its standard parser package drags in dozens of other parsers
 * (and their jars and start-up scanning) for formats a workspace index does not need. A
 * failing extractor (corrupt PDF, encrypted document) degrades to name-only indexing.
 *
 * <p>Stateless and thread-safe.
 */
public final class TextExtractor {
    /** Texts larger than this are cut, so one huge file cannot stall the index. */
    static final int MAX_CHARS = 4 << 20;

    private static final Set<String> MARKDOWN = Set.of("md", "markdown", "mdown", "mkd", "rst", "adoc");
    private static final Set<String> CODE = Set.of("java", "kt", "kts", "scala", "groovy", "py", "rb", "js", "mjs",
            "cjs", "ts", "tsx", "jsx", "go", "rs", "c", "h", "cc", "cpp", "hpp", "cxx", "cs", "swift", "m", "php",
            "pl", "lua", "r", "sh", "bash", "zsh", "fish", "ps1", "sql", "hs", "ml", "ex", "exs", "erl", "clj",
            "dart", "zig", "nim", "v", "vue", "svelte", "css", "scss", "less", "proto", "gradle", "cmake",
            "mk", "dockerfile", "tf", "toml", "yaml", "yml", "ini", "cfg", "conf", "properties", "xml", "xsd",
            "make");
    private static final Set<String> JSON = Set.of("json", "jsonl", "ndjson", "geojson", "ipynb");
    private static final Set<String> CSV = Set.of("csv", "tsv", "psv");
    private static final Set<String> HTML = Set.of("html", "htm", "xhtml");
    private static final Set<String> OFFICE = Set.of("doc", "docx", "xls", "xlsx", "ppt", "pptx", "docm", "xlsm",
            "pptm");
    private static final Set<String> TEXT = Set.of("txt", "text", "log", "out", "me", "tex", "bib", "srt", "vtt");
    private static final Set<String> BINARY = Set.of("png", "jpg", "jpeg", "gif", "webp", "bmp", "ico", "tif",
            "tiff", "mp3", "wav", "flac", "ogg", "mp4", "mkv", "mov", "avi", "webm", "zip", "gz", "tgz", "bz2",
            "xz", "zst", "7z", "rar", "jar", "war", "class", "so", "dll", "exe", "bin", "o", "a", "dylib",
            "wasm", "pyc", "iso", "img", "dmg", "db", "sqlite", "parquet", "onnx", "pt", "npy", "woff", "woff2",
            "ttf", "otf");
    private static final Map<String, String> NAME_TYPES = Map.of("makefile", "code", "dockerfile", "code",
            "readme", "text", "license", "text");

    /**
     * The result of extraction.
     *
     * @param text the text to split into passages (never null)
     * @param type the detected content type
     */
    public record Extracted(ContentType type, String text) {
    }

    /** Lower-case extension of the last path element, without the dot; "" if none. */
    public static String extension(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot <= 0 || dot == name.length() - 1 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    public static ContentType detect(String path, byte[] content) {
        String ext = extension(path);
        if (MARKDOWN.contains(ext)) return ContentType.MARKDOWN;
        if (CODE.contains(ext)) return ContentType.CODE;
        if (JSON.contains(ext)) return ContentType.JSON;
        if (CSV.contains(ext)) return ContentType.CSV;
        if (HTML.contains(ext)) return ContentType.HTML;
        if (ext.equals("pdf")) return ContentType.PDF;
        if (OFFICE.contains(ext)) return ContentType.OFFICE;
        if (BINARY.contains(ext)) return ContentType.BINARY;
        if (TEXT.contains(ext)) return looksBinary(content) ? ContentType.BINARY : ContentType.TEXT;
        String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        if ("code".equals(NAME_TYPES.get(name))) return ContentType.CODE;
        if (content.length >= 5 && content[0] == '%' && content[1] == 'P' && content[2] == 'D' && content[3] == 'F') {
            return ContentType.PDF;
        }
        return looksBinary(content) ? ContentType.BINARY : ContentType.TEXT;
    }

    /** A NUL byte in the first 8 KiB, or bytes that are not UTF-8, mean binary. */
    static boolean looksBinary(byte[] content) {
        int n = Math.min(content.length, 8192);
        for (int i = 0; i < n; i++) {
            if (content[i] == 0) {
                return true;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content, 0, utf8Boundary(content, n)));
            return false;
        } catch (CharacterCodingException e) {
            return true;
        }
    }

    /** Backs up from {@code n} so a multi-byte UTF-8 sequence is not cut in the middle. */
    private static int utf8Boundary(byte[] b, int n) {
        if (n >= b.length) return b.length;
        int i = n;
        while (i > 0 && n - i < 4 && (b[i] & 0xC0) == 0x80) i--;
        return i;
    }

    public static Extracted extract(String path, byte[] content) {
        ContentType type = detect(path, content);
        try {
            String text = switch (type) {
                case TEXT, MARKDOWN, CODE, JSON, CSV -> new String(content, StandardCharsets.UTF_8);
                case HTML -> html(content);
                case PDF -> pdf(content);
                case OFFICE -> office(content);
                case BINARY -> "";
            };
            if (text.length() > MAX_CHARS) {
                text = text.substring(0, MAX_CHARS);
            }
            return new Extracted(type, text);
        } catch (Exception | LinkageError e) {
            // A corrupt or encrypted document is still findable by its name.
            return new Extracted(type, "");
        }
    }

    private static String html(byte[] content) {
        var doc = Jsoup.parse(new String(content, StandardCharsets.UTF_8));
        String title = doc.title();
        String body = doc.body() == null ? "" : doc.body().wholeText();
        return (title.isBlank() ? "" : title + "\n\n") + body;
    }

    private static String pdf(byte[] content) throws Exception {
        try (PDDocument doc = Loader.loadPDF(content)) {
            return new PDFTextStripper().getText(doc);
        }
    }

    private static String office(byte[] content) throws Exception {
        try (POITextExtractor ex = ExtractorFactory.createExtractor(new ByteArrayInputStream(content))) {
            return ex.getText();
        }
    }
}
