package dev.semfs.index.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.util.CharTokenizer;

/**
 * The on-disk layout of the index (format {@value #FORMAT_VERSION}). Each file is one Lucene
 * block, written atomically with {@code updateDocuments(ino term, block)}: its passage documents
 * first, then the file document last (the block-join parent, as Lucene's diversifying kNN
 * query requires).
 *
 * <pre>
 * both kinds   kind (string "f"|"p"), ino (string, stored), dir (string, one per ancestor
 *              directory: "/", "/a", "/a/b" for /a/b/c.txt), ext, type, author (strings),
 *              size, mtime (LongField: points + doc values)
 * file doc     path, version, size, mtime, author, type (stored), chash (string, stored: SHA-256
 *              of the content, hex), body (text, stored: the extracted text), name (text: the
 *              file name split into words), npass (stored int)
 * passage doc  text (text, stored), ord, start, end (stored longs: byte range), phash (string,
 *              stored: SHA-256 of the text, hex, 32 chars), vec (KnnFloatVectorField, dot product
 *              over unit vectors)
 * commit data  semfs.format, model.name, model.dim, applied.seq
 * </pre>
 */
public final class IndexLayout {
    /** Bump when the layout above changes; an index of another format is rebuilt. */
    public static final int FORMAT_VERSION = 1;

    static final String KIND = "kind";
    static final String KIND_FILE = "f";
    static final String KIND_PASSAGE = "p";
    static final String INO = "ino";
    static final String DIR = "dir";
    static final String EXT = "ext";
    static final String TYPE = "type";
    static final String AUTHOR = "author";
    static final String SIZE = "size";
    static final String MTIME = "mtime";
    static final String PATH = "path";
    static final String VERSION = "version";
    static final String CHASH = "chash";
    static final String BODY = "body";
    static final String NAME = "name";
    static final String NPASS = "npass";
    static final String TEXT = "text";
    static final String ORD = "ord";
    static final String START = "start";
    static final String END = "end";
    static final String PHASH = "phash";
    static final String VEC = "vec";

    static final String UD_FORMAT = "semfs.format";
    static final String UD_MODEL = "model.name";
    static final String UD_DIM = "model.dim";
    static final String UD_SEQ = "applied.seq";

    private IndexLayout() {
    }

    /** "/", "/a", "/a/b" for "/a/b/c.txt". */
    static List<String> ancestors(String path) {
        List<String> out = new ArrayList<>();
        out.add("/");
        int i = path.indexOf('/', 1);
        while (i > 0) {
            out.add(path.substring(0, i));
            i = path.indexOf('/', i + 1);
        }
        return out;
    }

    /** "/a/b/" and "/a/b" both become "/a/b"; "" and "/" become "/". */
    static String normalizeDir(String dir) {
        String d = dir;
        while (d.length() > 1 && d.endsWith("/")) {
            d = d.substring(0, d.length() - 1);
        }
        return d.isEmpty() ? "/" : d;
    }

    /** Words of a file name: "budget_2024-final.xlsx" is "budget 2024 final xlsx". */
    static String nameWords(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.replaceAll("[._\\-]+", " ").replaceAll("([a-z])([A-Z])", "$1 $2");
    }

    /**
     * The analyzer of body, name and passage text: runs of letters and digits (so an identifier
     * inside code, "signer.verifySignature(token)", yields "verifysignature" as its own token),
     * English possessives, lower case, English stop words, Porter stemming. Queries use the same
     * one, which is what makes keyword search never miss a file containing the query's words.
     */
    static Analyzer textAnalyzer() {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String field) {
                Tokenizer source = CharTokenizer.fromTokenCharPredicate(Character::isLetterOrDigit);
                TokenStream ts = new EnglishPossessiveFilter(source);
                ts = new LowerCaseFilter(ts);
                ts = new StopFilter(ts, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET);
                ts = new PorterStemFilter(ts);
                return new TokenStreamComponents(source, ts);
            }

            @Override
            protected TokenStream normalize(String field, TokenStream in) {
                return new LowerCaseFilter(in);
            }
        };
    }
}
