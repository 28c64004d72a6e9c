package dev.semfs.agents;

/**
 * An advisory lease: {@code agent} announces it is writing below {@code path} until
 * {@code expiresNanos}. Nothing is blocked by it; a write by another agent while it is held is
 * recorded as a conflict.
 *
 * @param acquiredNanos nanoseconds since the epoch
 * @param expiresNanos  nanoseconds since the epoch
 */
public record Lease(String path, String agent, long acquiredNanos, long expiresNanos) {}
