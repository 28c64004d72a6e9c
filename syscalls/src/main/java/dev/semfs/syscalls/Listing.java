package dev.semfs.syscalls;

import java.util.List;

/** Entries of a directory, sorted by name. */
public record Listing(String path, List<FileInfo> entries) {}
