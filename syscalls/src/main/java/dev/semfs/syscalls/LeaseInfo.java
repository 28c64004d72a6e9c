package dev.semfs.syscalls;

/** An advisory lease; times are nanoseconds since the epoch. */
public record LeaseInfo(String path, String agent, long acquiredNanos, long expiresNanos) {}
