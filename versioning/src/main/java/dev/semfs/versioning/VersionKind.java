package dev.semfs.versioning;

/**
 * What created a version. DELETE is a tombstone: the path stopped existing. MOVED appears only
 * in path histories: the node was renamed away from the path (its content lives on elsewhere).
 */
public enum VersionKind { WRITE, CREATE, RENAME, ROLLBACK, RESTORE, SNAPSHOT, DELETE, MOVED }
