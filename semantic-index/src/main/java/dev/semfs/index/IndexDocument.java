package dev.semfs.index;

import java.util.Objects;

/**
 * One file version as the index receives it. Upserts are keyed by {@code ino}: indexing the same
 * inode again replaces everything the index held for it, so a feeder may replay a change safely.
 *
 * @param ino the file's inode number, its identity across renames
 * @param path the file's absolute workspace path ("/a/b.txt"); its parent directories become
 *     prefix-filter terms
 * @param version the store's version number of this content (returned with hits, so a caller can
 *     tell whether the file changed since it was indexed)
 * @param size size of the content in bytes, as the store reports it
 * @param mtimeMillis modification time, epoch milliseconds
 * @param author the agent that wrote this version (may be empty, never null)
 * @param content the file's bytes; the content type is detected from the path's extension and,
 *     for unknown extensions, from the bytes themselves
 */
public record IndexDocument(long ino, String path, long version, long size, long mtimeMillis,
                            String author, byte[] content) {
    public IndexDocument {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(content, "content");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must be absolute: " + path);
        }
    }

    /** A document whose size is the length of its content. */
    public static IndexDocument of(long ino, String path, long version, long mtimeMillis, String author,
                                   byte[] content) {
        return new IndexDocument(ino, path, version, content.length, mtimeMillis, author, content);
    }
}
