package dev.semfs.syscalls;

/** The response of an operation that returns nothing but success. */
public record Done() {
    public static final Done DONE = new Done();
}
