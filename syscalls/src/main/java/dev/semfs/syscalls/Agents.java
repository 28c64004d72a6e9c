package dev.semfs.syscalls;

import java.util.List;

/** Agents of a workspace, the owner first. */
public record Agents(List<AgentInfo> agents) {}
