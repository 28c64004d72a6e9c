package dev.semfs.syscalls;

/** A newly issued token for an agent. The workspace keeps only a salted hash of it: keep it safe. */
public record AgentToken(String agent, String token) {
    @Override
    public String toString() {
        return "AgentToken[agent=" + agent + ", token=(hidden)]";
    }
}
