package dev.semfs.agents.internal;

import dev.semfs.agents.Agent;
import dev.semfs.agents.AgentDirectory;
import dev.semfs.agents.Right;
import dev.semfs.versioning.WorkspaceStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Agents kept in the store's settings, one value per agent under {@code "agents/<name>"}, so
 * that an agent's identity and all its rules change in one atomic put. Reads are served from an
 * immutable in-memory copy that is swapped on each change (changes are rare, checks are on
 * every operation).
 *
 * <p>Value layout, format {@value #FORMAT} (big-endian, {@link DataOutputStream}):
 * <pre>
 *   int     format            = 1
 *   long    createdNanos      nanoseconds since the epoch
 *   boolean admin
 *   byte    tokenScheme       0 = no token, 1 = SHA-256(salt || UTF-8 token)
 *   short n, byte[n] salt     (n = 0 without a token)
 *   short n, byte[n] hash     (n = 0 without a token)
 *   int     ruleCount
 *   ruleCount x { UTF right ("none" | "read" | "write"), UTF prefix }
 * </pre>
 * A token is 32 random bytes, so a single salted SHA-256 suffices: key stretching (PBKDF2) only
 * helps against guessable secrets. The owner is built in; it is stored only once it has a token.
 */
public final class SettingsAgentDirectory implements AgentDirectory {
    static final int FORMAT = 1;
    static final String KEY_PREFIX = "agents/";
    private static final byte SCHEME_NONE = 0;
    private static final byte SCHEME_SHA256 = 1;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final WorkspaceStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** Agent name to its stored state; replaced whole on every change. */
    private volatile Map<String, Stored> agents;

    /** One agent as stored: public part plus the token hash. */
    private record Stored(Agent agent, byte scheme, byte[] salt, byte[] hash) {}

    private SettingsAgentDirectory(WorkspaceStore store, Clock clock, Map<String, Stored> agents) {
        this.store = store;
        this.clock = clock;
        this.agents = agents;
    }

    public static SettingsAgentDirectory open(WorkspaceStore store, Clock clock) throws IOException {
        Map<String, Stored> loaded = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : store.settings(KEY_PREFIX).entrySet()) {
            String name = e.getKey().substring(KEY_PREFIX.length());
            loaded.put(name, decode(name, e.getValue()));
        }
        return new SettingsAgentDirectory(store, clock, Collections.unmodifiableMap(loaded));
    }

    // ==========================================================================================
    // identities
    // ==========================================================================================

    @Override
    public synchronized String create(String name) throws IOException {
        checkName(name);
        if (name.equals(OWNER) || agents.containsKey(name)) throw new FileAlreadyExistsException(name, null, "agent exists");
        String token = newTokenString();
        byte[] salt = salt();
        Agent a = new Agent(name, now(), false, new TreeMap<>(), true);
        put(new Stored(a, SCHEME_SHA256, salt, hash(salt, token)));
        return token;
    }

    @Override
    public synchronized String newToken(String name) throws IOException {
        Stored s = stored(name);
        String token = newTokenString();
        byte[] salt = salt();
        Agent a = s.agent();
        put(new Stored(new Agent(a.name(), a.createdNanos(), a.admin(), a.rules(), true), SCHEME_SHA256, salt, hash(salt, token)));
        return token;
    }

    @Override
    public synchronized void remove(String name) throws IOException {
        if (OWNER.equals(name)) throw new AccessDeniedException(name, null, "the owner cannot be removed");
        stored(name);
        store.deleteSetting(KEY_PREFIX + name);
        Map<String, Stored> next = new TreeMap<>(agents);
        next.remove(name);
        agents = Collections.unmodifiableMap(next);
    }

    @Override
    public List<Agent> list() {
        List<Agent> out = new ArrayList<>();
        out.add(owner());
        for (Stored s : agents.values()) if (!s.agent().name().equals(OWNER)) out.add(s.agent());
        out.subList(1, out.size()).sort(Comparator.comparing(Agent::name));
        return out;
    }

    @Override
    public Optional<Agent> get(String name) {
        if (OWNER.equals(name)) return Optional.of(owner());
        Stored s = agents.get(name);
        return s == null ? Optional.empty() : Optional.of(s.agent());
    }

    @Override
    public boolean exists(String name) {
        return OWNER.equals(name) || agents.containsKey(name);
    }

    @Override
    public Optional<String> authenticate(String token) {
        if (token == null || token.isEmpty()) return Optional.empty();
        String found = null;
        // Compare against every hash, not stopping at a match, so timing says nothing about which.
        for (Stored s : agents.values()) {
            if (s.scheme() != SCHEME_SHA256) continue;
            if (MessageDigest.isEqual(hash(s.salt(), token), s.hash())) found = s.agent().name();
        }
        return Optional.ofNullable(found);
    }

    private Agent owner() {
        Stored s = agents.get(OWNER);
        return new Agent(OWNER, s == null ? 0 : s.agent().createdNanos(), true, new TreeMap<>(Map.of("/", Right.WRITE)),
                s != null && s.scheme() != SCHEME_NONE);
    }

    private Stored stored(String name) throws IOException {
        if (OWNER.equals(name)) {
            Stored s = agents.get(OWNER);
            return s != null ? s : new Stored(owner(), SCHEME_NONE, new byte[0], new byte[0]);
        }
        Stored s = agents.get(name);
        if (s == null) throw new NoSuchFileException(name, null, "no agent named " + name);
        return s;
    }

    // ==========================================================================================
    // rules
    // ==========================================================================================

    @Override
    public synchronized void grant(String agent, String prefix, Right right) throws IOException {
        PathPrefix.check(prefix);
        if (right == null) throw new IllegalArgumentException("no right given");
        Stored s = changeable(agent);
        TreeMap<String, Right> rules = new TreeMap<>(s.agent().rules());
        rules.put(prefix, right);
        put(withRules(s, rules, s.agent().admin()));
    }

    @Override
    public synchronized boolean revoke(String agent, String prefix) throws IOException {
        PathPrefix.check(prefix);
        Stored s = changeable(agent);
        TreeMap<String, Right> rules = new TreeMap<>(s.agent().rules());
        if (rules.remove(prefix) == null) return false;
        put(withRules(s, rules, s.agent().admin()));
        return true;
    }

    @Override
    public synchronized void setAdmin(String agent, boolean admin) throws IOException {
        Stored s = changeable(agent);
        put(withRules(s, s.agent().rules(), admin));
    }

    private Stored changeable(String agent) throws IOException {
        if (OWNER.equals(agent)) throw new AccessDeniedException(agent, null, "the owner may do everything; its rights cannot be changed");
        return stored(agent);
    }

    private static Stored withRules(Stored s, SortedMap<String, Right> rules, boolean admin) {
        Agent a = s.agent();
        return new Stored(new Agent(a.name(), a.createdNanos(), admin, rules, a.hasToken()), s.scheme(), s.salt(), s.hash());
    }

    @Override
    public Right right(String agent, String path) {
        if (OWNER.equals(agent)) return Right.WRITE;
        Stored s = agents.get(agent);
        if (s == null) return Right.NONE;
        SortedMap<String, Right> rules = s.agent().rules();
        if (rules.isEmpty()) return Right.NONE;
        // The most specific rule is on the longest prefix of path: try path, its parent, ..., "/".
        String p = path;
        while (true) {
            Right r = rules.get(p);
            if (r != null) return r;
            if (p.equals("/")) return Right.NONE;
            int i = p.lastIndexOf('/');
            p = i <= 0 ? "/" : p.substring(0, i);
        }
    }

    @Override
    public boolean canWriteTree(String agent, String prefix) {
        if (OWNER.equals(agent)) return true;
        if (right(agent, prefix) != Right.WRITE) return false;
        for (Map.Entry<String, Right> e : below(agent, prefix)) if (e.getValue() != Right.WRITE) return false;
        return true;
    }

    @Override
    public boolean leadsToReadable(String agent, String dir) {
        if (OWNER.equals(agent)) return true;
        for (Map.Entry<String, Right> e : below(agent, dir)) if (e.getValue().allows(Right.READ)) return true;
        return false;
    }

    /** Rules strictly below {@code dir}. */
    private List<Map.Entry<String, Right>> below(String agent, String dir) {
        Stored s = agents.get(agent);
        if (s == null) return List.of();
        List<Map.Entry<String, Right>> out = new ArrayList<>();
        String start = dir.equals("/") ? "/" : dir + "/";
        for (Map.Entry<String, Right> e : s.agent().rules().tailMap(start).entrySet()) {
            if (!e.getKey().startsWith(start)) break;
            if (!e.getKey().equals(dir)) out.add(e);
        }
        return out;
    }

    @Override
    public boolean unrestricted(String agent) {
        if (OWNER.equals(agent)) return true;
        Stored s = agents.get(agent);
        if (s == null || s.agent().rules().get("/") != Right.WRITE) return false;
        for (Right r : s.agent().rules().values()) if (r != Right.WRITE) return false;
        return true;
    }

    @Override
    public boolean isAdmin(String agent) {
        if (OWNER.equals(agent)) return true;
        Stored s = agents.get(agent);
        return s != null && s.agent().admin();
    }

    // ==========================================================================================
    // persistence
    // ==========================================================================================

    private void put(Stored s) throws IOException {
        store.putSetting(KEY_PREFIX + s.agent().name(), encode(s));
        Map<String, Stored> next = new TreeMap<>(agents);
        next.put(s.agent().name(), s);
        agents = Collections.unmodifiableMap(next);
    }

    static byte[] encode(Stored s) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(FORMAT);
            out.writeLong(s.agent().createdNanos());
            out.writeBoolean(s.agent().admin());
            out.writeByte(s.scheme());
            out.writeShort(s.salt().length);
            out.write(s.salt());
            out.writeShort(s.hash().length);
            out.write(s.hash());
            out.writeInt(s.agent().rules().size());
            for (Map.Entry<String, Right> e : s.agent().rules().entrySet()) {
                out.writeUTF(e.getValue().label());
                out.writeUTF(e.getKey());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: cannot happen
        }
    }

    static Stored decode(String name, byte[] value) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
        int format = in.readInt();
        if (format != FORMAT) throw new IOException("agent " + name + " is stored in format " + format + "; this build reads format " + FORMAT);
        long created = in.readLong();
        boolean admin = in.readBoolean();
        byte scheme = in.readByte();
        byte[] salt = in.readNBytes(in.readUnsignedShort());
        byte[] hash = in.readNBytes(in.readUnsignedShort());
        int n = in.readInt();
        TreeMap<String, Right> rules = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            Right r = Right.parse(in.readUTF());
            rules.put(in.readUTF(), r);
        }
        return new Stored(new Agent(name, created, admin, rules, scheme != SCHEME_NONE), scheme, salt, hash);
    }

    // ==========================================================================================
    // tokens
    // ==========================================================================================

    private String newTokenString() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return "semfs_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private byte[] salt() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return b;
    }

    private static byte[] hash(byte[] salt, String token) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(salt);
            return d.digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private long now() {
        Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("an agent name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit (got " + name + ")");
        }
    }
}
