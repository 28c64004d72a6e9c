package dev.semfs.syscalls;

/**
 * Bytes read from a file.
 *
 * @param size    the whole file's size (may exceed {@code data.length})
 * @param version the version read (0 for the live file)
 */
public record Content(String path, byte[] data, long offset, long size, long version) {}
