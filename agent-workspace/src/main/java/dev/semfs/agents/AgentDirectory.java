package dev.semfs.agents;

import dev.semfs.agents.internal.SettingsAgentDirectory;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The agents of a workspace and their path permissions, persisted in the store's settings.
 *
 * <p>Identities: an agent has a name and, for network front ends, a secret token of which only a
 * salted hash is stored. The built-in {@link #OWNER} always exists, may do everything, and cannot
 * be removed or restricted.
 *
 * <p>Permissions: each agent has rules "path prefix -> {@link Right}"; the most specific prefix
 * covering a path decides. An agent without a rule covering a path has {@link Right#NONE} there:
 * a new agent sees nothing until it is granted something. Paths handed in are normalised
 * workspace paths ("/", "/a/b").
 *
 * <p>Thread-safe. Reads are served from memory; changes are written through to the store before
 * they return. Errors: {@link IllegalArgumentException} for a bad name or prefix,
 * {@link java.nio.file.NoSuchFileException} for an unknown agent,
 * {@link java.nio.file.FileAlreadyExistsException} when creating an existing agent,
 * {@link java.nio.file.AccessDeniedException} when changing the owner.
 */
public interface AgentDirectory {
    String OWNER = "owner";

    static AgentDirectory open(WorkspaceStore store, Clock clock) throws IOException {
        return SettingsAgentDirectory.open(store, clock);
    }

    /** Creates an agent with no rules; returns its token (shown once, never stored). */
    String create(String name) throws IOException;

    /** Issues a new token for an existing agent (the owner too); the old one stops working. */
    String newToken(String name) throws IOException;

    /** Removes an agent and its rules. */
    void remove(String name) throws IOException;

    /** Every agent, the owner first, then by name. */
    List<Agent> list();

    Optional<Agent> get(String name);

    boolean exists(String name);

    /** The agent a token belongs to, if any. Constant-time per stored hash. */
    Optional<String> authenticate(String token);

    /** Sets the right of {@code agent} below {@code prefix}, replacing a rule on the same prefix. */
    void grant(String agent, String prefix, Right right) throws IOException;

    /** Removes the rule on exactly {@code prefix}; returns whether there was one. */
    boolean revoke(String agent, String prefix) throws IOException;

    void setAdmin(String agent, boolean admin) throws IOException;

    // --- checks (all answer for unknown agents as for an agent without rules) ---------------

    /** The right of {@code agent} on {@code path}: its most specific rule, or NONE. */
    Right right(String agent, String path);

    /** True when the agent has {@code WRITE} on every path below {@code prefix} (no narrower rule takes it away). */
    boolean canWriteTree(String agent, String prefix);

    /**
     * True when some path strictly below {@code dir} is readable by the agent: it may then see
     * {@code dir}'s metadata and the entries leading there, as a directory's execute bit would.
     */
    boolean leadsToReadable(String agent, String dir);

    /** True for the owner and for agents that may write everywhere: checks can be skipped. */
    boolean unrestricted(String agent);

    /** True for the owner and for agents with the admin flag. */
    boolean isAdmin(String agent);
}
