package dev.semfs.syscalls;

/** An open file. */
public record Handle(long id, FileInfo file) {}
