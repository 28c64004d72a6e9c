package dev.semfs.index;

import java.util.Objects;
import java.util.Set;

/**
 * A search: query text, how many files to return, the mode, and filters applied inside the
 * search (never after it), so a selective filter still yields up to {@code k} files.
 */
public record SearchRequest(String query, int k, SearchMode mode, Filters filters) {
    public SearchRequest {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(filters, "filters");
        if (k < 1 || k > 10_000) {
            throw new IllegalArgumentException("k must be in 1..10000: " + k);
        }
    }

    public static SearchRequest of(String query, int k) {
        return new SearchRequest(query, k, SearchMode.HYBRID, Filters.NONE);
    }

    public SearchRequest withMode(SearchMode m) {
        return new SearchRequest(query, k, m, filters);
    }

    public SearchRequest withFilters(Filters f) {
        return new SearchRequest(query, k, mode, f);
    }

    /**
     * Conjunctive filters; a null or empty component does not filter.
     *
     * @param pathPrefix a directory ("/docs" or "/docs/"): only files below it match
     * @param extensions lower-case file extensions without the dot ("md", "java")
     * @param types content types
     * @param mtimeFrom inclusive lower bound on modification time (epoch ms), or null
     * @param mtimeTo inclusive upper bound on modification time (epoch ms), or null
     * @param sizeMin inclusive lower bound on size in bytes, or null
     * @param sizeMax inclusive upper bound on size in bytes, or null
     * @param authors agents; a file written by any of them matches
     */
    public record Filters(String pathPrefix, Set<String> extensions, Set<ContentType> types,
                          Long mtimeFrom, Long mtimeTo, Long sizeMin, Long sizeMax, Set<String> authors) {
        public static final Filters NONE = new Filters(null, Set.of(), Set.of(), null, null, null, null, Set.of());

        public Filters {
            extensions = extensions == null ? Set.of() : Set.copyOf(extensions);
            types = types == null ? Set.of() : Set.copyOf(types);
            authors = authors == null ? Set.of() : Set.copyOf(authors);
            if (pathPrefix != null && !pathPrefix.startsWith("/")) {
                throw new IllegalArgumentException("path prefix must be absolute: " + pathPrefix);
            }
        }

        public boolean isEmpty() {
            return (pathPrefix == null || pathPrefix.equals("/")) && extensions.isEmpty() && types.isEmpty()
                    && mtimeFrom == null && mtimeTo == null && sizeMin == null && sizeMax == null
                    && authors.isEmpty();
        }

        public Filters withPathPrefix(String p) {
            return new Filters(p, extensions, types, mtimeFrom, mtimeTo, sizeMin, sizeMax, authors);
        }

        public Filters withExtensions(String... e) {
            return new Filters(pathPrefix, Set.of(e), types, mtimeFrom, mtimeTo, sizeMin, sizeMax, authors);
        }

        public Filters withTypes(ContentType... t) {
            return new Filters(pathPrefix, extensions, Set.of(t), mtimeFrom, mtimeTo, sizeMin, sizeMax, authors);
        }

        public Filters withMtime(Long from, Long to) {
            return new Filters(pathPrefix, extensions, types, from, to, sizeMin, sizeMax, authors);
        }

        public Filters withSize(Long min, Long max) {
            return new Filters(pathPrefix, extensions, types, mtimeFrom, mtimeTo, min, max, authors);
        }

        public Filters withAuthors(String... a) {
            return new Filters(pathPrefix, extensions, types, mtimeFrom, mtimeTo, sizeMin, sizeMax, Set.of(a));
        }
    }
}
