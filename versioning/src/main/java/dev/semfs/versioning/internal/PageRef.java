package dev.semfs.versioning.internal;

/** A reference from a node's root (or a version's root) to one page of its extent list. */
record PageRef(byte[] hash, long bytes, int extents) {}
