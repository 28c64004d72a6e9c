package dev.semfs.index.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.semfs.index.ContentType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Test;

class TextExtractorTest {
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void detectsTypesByExtensionAndContent() {
        assertEquals(ContentType.MARKDOWN, TextExtractor.detect("/a/README.md", utf8("# hi")));
        assertEquals(ContentType.CODE, TextExtractor.detect("/src/Main.java", utf8("class A {}")));
        assertEquals(ContentType.JSON, TextExtractor.detect("/x.json", utf8("{}")));
        assertEquals(ContentType.CSV, TextExtractor.detect("/x.csv", utf8("a,b")));
        assertEquals(ContentType.HTML, TextExtractor.detect("/x.html", utf8("<p>x</p>")));
        assertEquals(ContentType.TEXT, TextExtractor.detect("/notes", utf8("plain words")));
        assertEquals(ContentType.BINARY, TextExtractor.detect("/blob", new byte[] {1, 0, 2, 3}));
        assertEquals(ContentType.BINARY, TextExtractor.detect("/photo.jpg", utf8("whatever")));
        assertEquals(ContentType.PDF, TextExtractor.detect("/noext", utf8("%PDF-1.7 ...")));
        assertEquals("gz", TextExtractor.extension("/a/b.tar.gz"));
        assertEquals("", TextExtractor.extension("/a/.bashrc"));
    }

    @Test
    void extractsHtmlText() {
        var ex = TextExtractor.extract("/p.html", utf8("<html><head><title>Quarterly report</title><script>var x=1;</script></head>"
                + "<body><h1>Revenue</h1><p>Revenue grew <b>12%</b>.</p></body></html>"));
        assertEquals(ContentType.HTML, ex.type());
        assertTrue(ex.text().contains("Quarterly report"));
        assertTrue(ex.text().contains("Revenue grew 12%."), ex.text());
        assertFalse(ex.text().contains("var x"));
    }

    @Test
    void extractsPdfText() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage();
            doc.addPage(page);
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                cs.beginText();
                cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                cs.newLineAtOffset(72, 700);
                cs.showText("Photosynthesis converts light into chemical energy.");
                cs.endText();
            }
            doc.save(out);
        }
        var ex = TextExtractor.extract("/paper.pdf", out.toByteArray());
        assertEquals(ContentType.PDF, ex.type());
        assertTrue(ex.text().contains("Photosynthesis converts light"), ex.text());
    }

    @Test
    void extractsOfficeText() throws IOException {
        ByteArrayOutputStream docx = new ByteArrayOutputStream();
        try (XWPFDocument d = new XWPFDocument()) {
            d.createParagraph().createRun().setText("Minutes of the board meeting about the merger.");
            d.write(docx);
        }
        assertTrue(TextExtractor.extract("/m.docx", docx.toByteArray()).text().contains("board meeting"));
        ByteArrayOutputStream xlsx = new ByteArrayOutputStream();
        try (XSSFWorkbook w = new XSSFWorkbook()) {
            w.createSheet("Q1").createRow(0).createCell(0).setCellValue("invoice total");
            w.write(xlsx);
        }
        var ex = TextExtractor.extract("/b.xlsx", xlsx.toByteArray());
        assertEquals(ContentType.OFFICE, ex.type());
        assertTrue(ex.text().contains("invoice total"), ex.text());
    }

    @Test
    void corruptDocumentsDegradeToNoText() {
        var ex = TextExtractor.extract("/broken.pdf", utf8("%PDF-garbage"));
        assertEquals(ContentType.PDF, ex.type());
        assertEquals("", ex.text());
        assertEquals("", TextExtractor.extract("/x.png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}).text());
    }

    @Test
    void passagesOverlapStayShortAndKeepByteRanges() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        String[] words = {"naïve", "café", "日本語", "emoji😀", "plain", "words", "x"};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 1000; i++) b.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(10) == 0 ? "\n\n" : " ");
        String text = b.toString();
        byte[] bytes = utf8(text);
        List<PassageSplitter.Passage> ps = PassageSplitter.split(text);
        assertTrue(ps.size() >= 10, "seed=" + seed);
        for (int i = 0; i < ps.size(); i++) {
            var p = ps.get(i);
            assertEquals(i, p.ordinal());
            assertTrue(p.text().split("\\s+").length <= PassageSplitter.MAX_WORDS, "seed=" + seed);
            assertTrue(p.text().length() <= PassageSplitter.MAX_CHARS, "seed=" + seed);
            String fromBytes = new String(bytes, (int) p.start(), (int) (p.end() - p.start()), StandardCharsets.UTF_8);
            assertEquals(p.text(), fromBytes, "byte range of passage " + i + " seed=" + seed);
            if (i > 0) {
                assertTrue(p.start() < ps.get(i - 1).end(), "passages overlap, seed=" + seed);
            }
        }
        assertEquals(utf8(text.stripTrailing()).length, ps.getLast().end(), "the last passage reaches the end, seed=" + seed);
        assertEquals(List.of(), PassageSplitter.split("  \n "));
    }
}
