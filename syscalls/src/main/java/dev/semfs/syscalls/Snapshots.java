package dev.semfs.syscalls;

import java.util.List;

public record Snapshots(List<SnapshotInfo> snapshots) {}
