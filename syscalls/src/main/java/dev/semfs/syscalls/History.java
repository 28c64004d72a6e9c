package dev.semfs.syscalls;

import java.util.List;

/** Versions of a path, oldest first; {@code deleted} when the path no longer exists. */
public record History(String path, boolean deleted, List<VersionInfo> versions) {}
