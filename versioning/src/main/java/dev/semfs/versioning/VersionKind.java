package dev.semfs.versioning;

/** What created a version. A DELETE version is a tombstone: the path stopped existing. */
public enum VersionKind { WRITE, CREATE, RENAME, ROLLBACK, RESTORE, SNAPSHOT, DELETE }
