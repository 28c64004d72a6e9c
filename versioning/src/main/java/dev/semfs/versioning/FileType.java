package dev.semfs.versioning;

/** The kinds of node a workspace holds. */
public enum FileType { FILE, DIRECTORY, SYMLINK }
