package dev.semfs.syscalls;

import java.util.List;

/** Live leases, by path. */
public record LeaseList(List<LeaseInfo> leases) {}
