package dev.semfs.syscalls;

import java.util.List;

public record XattrNames(List<String> names) {}
