package dev.semfs.index;

/**
 * The kind of text a file yields. {@link #BINARY} files are indexed by name and metadata only.
 * The lower-case name is what the index stores and what {@link SearchRequest.Filters#types} matches.
 */
public enum ContentType {
    TEXT, MARKDOWN, CODE, JSON, CSV, HTML, PDF, OFFICE, BINARY;

    /** Whether passage byte ranges refer to the file's own bytes (true) or to extracted text. */
    public boolean rangesInSource() {
        return switch (this) {
            case TEXT, MARKDOWN, CODE, JSON, CSV -> true;
            case HTML, PDF, OFFICE, BINARY -> false;
        };
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
