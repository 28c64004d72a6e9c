package dev.semfs.syscalls.internal;

import dev.semfs.agents.Agent;
import dev.semfs.agents.AgentDirectory;
import dev.semfs.agents.AuditQuery;
import dev.semfs.agents.AuditTrail;
import dev.semfs.agents.Lease;
import dev.semfs.agents.Leases;
import dev.semfs.agents.Right;
import dev.semfs.agents.UndoPlan;
import dev.semfs.errors.SemfsException;
import dev.semfs.syscalls.AgentInfo;
import dev.semfs.syscalls.AgentToken;
import dev.semfs.syscalls.Agents;
import dev.semfs.syscalls.Caller;
import dev.semfs.syscalls.ChangeList;
import dev.semfs.syscalls.Done;
import dev.semfs.syscalls.FileInfo;
import dev.semfs.syscalls.Handle;
import dev.semfs.syscalls.LeaseInfo;
import dev.semfs.syscalls.LeaseList;
import dev.semfs.syscalls.Listing;
import dev.semfs.syscalls.Op;
import dev.semfs.syscalls.RollbackResult;
import dev.semfs.versioning.Change;
import dev.semfs.versioning.ChangeRecord;
import dev.semfs.versioning.Inode;
import dev.semfs.versioning.PathVersion;
import dev.semfs.versioning.VersionRecord;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent layer of the core API: the one check point every call passes ({@link #call}), and
 * the handler of the agent operations ({@link #handle}).
 *
 * <p>Per call: refuse unknown agents; check what {@link Access} says the operation needs, on
 * each path as named and as resolved through symlinks; run it; filter what it returns to what
 * the agent may see (listings, change feed); and log a "conflict" event when the call wrote
 * over another agent's work that is fresh (newer than {@link #CONFLICT_WINDOW}) or under that
 * agent's lease. The owner, and agents with WRITE everywhere, skip the path checks.
 *
 * <p>The checks look at the tree just before the operation; a symlink swapped in between by
 * another agent (with write access to it) could slip through. Rights are those at open time for
 * open handles, as with POSIX permissions.
 *
 * <p>Thread-safe.
 */
final class AgentGuard {
    /** A write over another agent's version younger than this is a conflict. */
    static final Duration CONFLICT_WINDOW = Duration.ofSeconds(10);
    private static final int MAX_SYMLINK_HOPS = 40;

    /** Runs an operation without checks: LocalWorkspace's dispatch. */
    interface Dispatcher {
        <R> R dispatch(Caller caller, Op<R> op) throws IOException;
    }

    private final WorkspaceStore store;
    private final AgentDirectory agents;
    private final Leases leases;
    private final AuditTrail audit;
    private final Clock clock;
    /** Open handle id to the agent that opened it. */
    private final ConcurrentHashMap<Long, String> handleOwners = new ConcurrentHashMap<>();

    private AgentGuard(WorkspaceStore store, AgentDirectory agents, Leases leases, Clock clock) {
        this.store = store;
        this.agents = agents;
        this.leases = leases;
        this.audit = AuditTrail.over(store);
        this.clock = clock;
    }

    static AgentGuard open(WorkspaceStore store, Clock clock) throws IOException {
        return new AgentGuard(store, AgentDirectory.open(store, clock), Leases.inMemory(clock), clock);
    }

    // ==========================================================================================
    // the check point
    // ==========================================================================================

    <R> R call(Caller caller, Op<R> op, Dispatcher d) throws IOException {
        String agent = caller.agent();
        if (!(op instanceof Op.Authenticate) && !agents.exists(agent)) {
            throw new AccessDeniedException(null, null, "unknown agent '" + agent
                    + "': the owner creates agents (Op.AgentCreate) and grants them paths (Op.Grant)");
        }
        boolean free = agents.unrestricted(agent);
        boolean live = Access.live(op);
        switch (Access.of(op)) {
            case Access.Paths p -> {
                if (!free) for (Access.Need n : p.needs()) check(agent, n, live);
            }
            case Access.Traverse t -> {
                if (!free) checkTraverse(agent, t, live);
            }
            case Access.OwnHandle h -> checkHandle(agent, h.handle());
            case Access.Admin a -> {
                if (!agents.isAdmin(agent)) {
                    throw new AccessDeniedException(null, null, "agent " + agent + " is not an admin; only the owner and admins may do this");
                }
            }
            case Access.Known k -> { }
            case Access.AgentLayer l -> { }
        }
        List<Conflict> conflicts = conflictsOf(caller, op);
        R result;
        try {
            result = d.dispatch(caller, op);
        } finally {
            // The workspace forgets a handle on release even when the release fails.
            if (op instanceof Op.Release r) handleOwners.remove(r.handle());
        }
        if (result instanceof Handle h) handleOwners.put(h.id(), agent);
        for (Conflict c : conflicts) logConflict(caller, c);
        if (free && result instanceof dev.semfs.syscalls.SearchResult r && op instanceof Op.Search s) {
            // The index over-fetches so that hits a restricted agent may not read can be dropped.
            @SuppressWarnings("unchecked")
            R cut = (R) new dev.semfs.syscalls.SearchResult(r.results().stream().limit(s.k()).toList(), r.indexLag(), r.model());
            return cut;
        }
        return free ? result : filter(agent, op, result);
    }

    private void check(String agent, Access.Need n, boolean live) throws IOException {
        checkOne(agent, n, n.path());
        if (live) {
            String real = real(n.path(), n.follow());
            if (!real.equals(n.path())) checkOne(agent, n, real);
        }
    }

    private void checkOne(String agent, Access.Need n, String path) throws AccessDeniedException {
        boolean ok = n.tree() && n.right() == Right.WRITE ? agents.canWriteTree(agent, path)
                : agents.right(agent, path).allows(n.right());
        if (!ok) throw denied(agent, path, n.right(), n.tree());
    }

    private void checkTraverse(String agent, Access.Traverse t, boolean live) throws IOException {
        List<String> paths = new ArrayList<>(2);
        paths.add(t.path());
        if (live) paths.add(real(t.path(), t.follow()));
        for (String p : paths) {
            if (!visible(agent, p)) throw denied(agent, p, Right.READ, false);
        }
    }

    private void checkHandle(String agent, long id) throws AccessDeniedException {
        String owner = handleOwners.get(id);
        // An unknown id is left to the workspace, which answers BAD_HANDLE.
        if (owner != null && !owner.equals(agent)) {
            throw new AccessDeniedException("#" + id, null, "the file was opened by another agent");
        }
    }

    private AccessDeniedException denied(String agent, String path, Right needed, boolean tree) {
        Right has = agents.right(agent, path);
        String what = tree ? "write access to everything below it" : needed.label() + " access";
        return new AccessDeniedException(path, null, "agent " + agent + " has " + has.label()
                + " access here; this needs " + what);
    }

    /** Whether an agent may see a path's metadata: it may read it, or something below it. */
    private boolean visible(String agent, String path) {
        return agents.right(agent, path).allows(Right.READ) || agents.leadsToReadable(agent, path);
    }

    private boolean readable(String agent, String path) {
        return agents.right(agent, path).allows(Right.READ);
    }

    /**
     * The path {@code path} resolves to through symlinks (intermediate ones always, the last one
     * if {@code followLast}); components that do not exist are kept as named.
     */
    String real(String path, boolean followLast) throws IOException {
        String current = path;
        for (int hops = 0; hops <= MAX_SYMLINK_HOPS; hops++) {
            List<String> parts = WorkspacePaths.components(current);
            long dir = WorkspaceStore.ROOT;
            String at = "/";
            String restart = null;
            for (int i = 0; i < parts.size(); i++) {
                String name = parts.get(i);
                Optional<Inode> n = dir < 0 ? Optional.empty() : lookup(dir, name);
                String next = WorkspacePaths.child(at, name);
                boolean last = i == parts.size() - 1;
                if (n.isPresent() && n.get().isSymlink() && (!last || followLast)) {
                    String target = n.get().symlinkTarget();
                    String base = target.startsWith("/") ? target : WorkspacePaths.child(at, target);
                    String rest = String.join("/", parts.subList(i + 1, parts.size()));
                    restart = WorkspacePaths.normalize(rest.isEmpty() ? base : base + "/" + rest);
                    break;
                }
                dir = n.isPresent() && n.get().isDirectory() ? n.get().ino() : -1;
                at = next;
            }
            if (restart == null) return current;
            current = restart;
        }
        return current; // a loop: the operation itself fails with LOOP
    }

    private Optional<Inode> lookup(long dir, String name) {
        try {
            return store.lookup(dir, name);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    // ==========================================================================================
    // filtering answers
    // ==========================================================================================

    private Object filterAny(String agent, Op<?> op, Object result) {
        return switch (result) {
            case Listing l -> new Listing(l.path(), l.entries().stream().filter(e -> visible(agent, e.path())).toList());
            case dev.semfs.syscalls.SearchResult r when op instanceof Op.Search s -> new dev.semfs.syscalls.SearchResult(
                    r.results().stream().filter(h -> readable(agent, h.path())).limit(s.k()).toList(), r.indexLag(), r.model());
            case ChangeList c when op instanceof Op.Changes ->
                    new ChangeList(c.changes().stream().filter(e -> entryVisible(agent, e.path(), e.toPath())).toList(), c.next());
            default -> result;
        };
    }

    @SuppressWarnings("unchecked")
    private <R> R filter(String agent, Op<R> op, R result) {
        return (R) filterAny(agent, op, result);
    }

    /** A change entry is visible when the agent may read every path it names. */
    private boolean entryVisible(String agent, String path, String toPath) {
        if (path == null || !path.startsWith("/") || !readable(agent, path)) return false;
        return toPath == null || !toPath.startsWith("/") || readable(agent, toPath);
    }

    // ==========================================================================================
    // conflicts
    // ==========================================================================================

    private record Conflict(String path, String reason) {}

    /** Conflicts the operation would cause: found before it runs, logged after it succeeds. */
    private List<Conflict> conflictsOf(Caller caller, Op<?> op) throws IOException {
        String path = switch (op) {
            case Op.WriteFile o -> o.path();
            case Op.Truncate o -> o.path();
            case Op.Open o when o.write() || o.truncate() -> o.path();
            case Op.Move o -> o.to();
            case Op.Remove o -> o.path();
            default -> null;
        };
        if (path == null) return List.of();
        String p = WorkspacePaths.normalize(path);
        String agent = caller.agent();
        Optional<Lease> lease = leases.heldByOther(agent, p);
        if (lease.isPresent()) {
            return List.of(new Conflict(p, "written while " + lease.get().agent() + " holds a lease on " + lease.get().path()));
        }
        Optional<PathVersion> latest = store.latestPathVersion(p);
        if (latest.isEmpty() || latest.get().isGone()) return List.of();
        PathVersion pv = latest.get();
        long age = now() - pv.time();
        if (age >= CONFLICT_WINDOW.toNanos()) return List.of();
        String by;
        try {
            VersionRecord v = store.version(pv.ino(), pv.version());
            by = v.agent();
        } catch (NoSuchFileException dropped) {
            return List.of();
        }
        if (by.equals(agent)) return List.of();
        return List.of(new Conflict(p, "written over version " + pv.number() + " by " + by + " from "
                + Math.max(0, age / 1_000_000) + " ms before"));
    }

    private void logConflict(Caller caller, Conflict c) throws IOException {
        long version = store.latestPathVersion(c.path()).map(PathVersion::number).orElse(0L);
        store.appendChange("conflict", c.path(), null, version, new Change(caller.agent(), caller.via(), c.reason(), c.path(), null));
    }

    private long now() {
        return nanos(clock.instant());
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    // ==========================================================================================
    // agent operations
    // ==========================================================================================

    Object handle(Caller caller, Op.AgentOp<?> op, Dispatcher d) throws IOException {
        String me = caller.agent();
        try {
            return switch (op) {
                case Op.AgentCreate o -> {
                    owner(me);
                    yield new AgentToken(o.name(), agents.create(o.name()));
                }
                case Op.AgentNewToken o -> {
                    owner(me);
                    yield new AgentToken(o.name(), agents.newToken(o.name()));
                }
                case Op.AgentRemove o -> {
                    owner(me);
                    agents.remove(o.name());
                    yield Done.DONE;
                }
                case Op.AgentList o -> new Agents(agents.list().stream()
                        .filter(a -> agents.isAdmin(me) || a.name().equals(me)).map(AgentGuard::info).toList());
                case Op.Grant o -> {
                    owner(me);
                    agents.grant(known(o.agent()), WorkspacePaths.normalize(o.pathPrefix()), Right.parse(o.right()));
                    yield Done.DONE;
                }
                case Op.Revoke o -> {
                    owner(me);
                    String prefix = WorkspacePaths.normalize(o.pathPrefix());
                    if (!agents.revoke(known(o.agent()), prefix)) {
                        throw new NoSuchFileException(prefix, null, "agent " + o.agent() + " has no rule on this prefix");
                    }
                    yield Done.DONE;
                }
                case Op.SetAdmin o -> {
                    owner(me);
                    agents.setAdmin(known(o.agent()), o.admin());
                    yield Done.DONE;
                }
                case Op.Authenticate o -> agents.authenticate(o.token()).flatMap(agents::get).map(AgentGuard::info)
                        .orElseThrow(() -> new AccessDeniedException(null, null, "no agent has this token"));
                case Op.Audit o -> audit(me, o);
                case Op.LeaseAcquire o -> {
                    String p = leasePath(me, o.path());
                    yield lease(leases.acquire(me, p, ttl(o.ttlMillis())));
                }
                case Op.LeaseRenew o -> {
                    String p = leasePath(me, o.path());
                    yield lease(leases.renew(me, p, ttl(o.ttlMillis())));
                }
                case Op.LeaseRelease o -> {
                    leases.release(me, WorkspacePaths.normalize(o.path()));
                    yield Done.DONE;
                }
                case Op.Leases o -> new LeaseList(leases.list(o.pathPrefix() == null ? "/" : WorkspacePaths.normalize(o.pathPrefix()))
                        .stream().filter(l -> agents.unrestricted(me) || readable(me, l.path())).map(AgentGuard::lease).toList());
                case Op.Undo o -> undo(caller, o, d);
            };
        } catch (IllegalArgumentException e) {
            throw SemfsException.invalid(null, e.getMessage());
        }
    }

    private void owner(String agent) throws AccessDeniedException {
        if (!AgentDirectory.OWNER.equals(agent)) {
            throw new AccessDeniedException(null, null, "only the owner manages agents and their rights (caller: " + agent + ")");
        }
    }

    private String known(String agent) throws NoSuchFileException {
        if (agent == null || !agents.exists(agent)) throw new NoSuchFileException(String.valueOf(agent), null, "no agent named " + agent);
        return agent;
    }

    private String leasePath(String agent, String raw) throws IOException {
        String p = WorkspacePaths.normalize(raw);
        if (!agents.right(agent, p).allows(Right.WRITE)) throw denied(agent, p, Right.WRITE, false);
        return p;
    }

    private static Duration ttl(long millis) {
        return Duration.ofMillis(millis);
    }

    private static LeaseInfo lease(Lease l) {
        return new LeaseInfo(l.path(), l.agent(), l.acquiredNanos(), l.expiresNanos());
    }

    private static AgentInfo info(Agent a) {
        List<AgentInfo.Rule> rules = new ArrayList<>();
        for (Map.Entry<String, Right> e : a.rules().entrySet()) rules.add(new AgentInfo.Rule(e.getKey(), e.getValue().label()));
        return new AgentInfo(a.name(), a.createdNanos(), a.admin(), a.hasToken(), rules);
    }

    private ChangeList audit(String me, Op.Audit o) throws IOException {
        String prefix = o.pathPrefix() == null ? null : WorkspacePaths.normalize(o.pathPrefix());
        boolean all = agents.isAdmin(me) || agents.unrestricted(me);
        AuditTrail.Page page = audit.query(new AuditQuery(prefix, o.agent(), o.sinceNanos(), o.untilNanos(), o.afterSeq(), o.max()),
                c -> all || entryVisible(me, c.path(), c.toPath()));
        return new ChangeList(page.entries().stream().map(AgentGuard::entry).toList(), page.next());
    }

    static ChangeList.ChangeEntry entry(ChangeRecord c) {
        return new ChangeList.ChangeEntry(c.seq(), c.time(), c.op(), c.path(), c.toPath(), c.version(), c.agent(), c.via(), c.reason());
    }

    // ==========================================================================================
    // undo an agent's changes
    // ==========================================================================================

    private RollbackResult undo(Caller caller, Op.Undo o, Dispatcher d) throws IOException {
        String me = caller.agent();
        known(o.agent());
        if (!agents.isAdmin(me) && !me.equals(o.agent())) {
            throw new AccessDeniedException(null, null, "only the owner, an admin or " + o.agent() + " itself may undo its changes");
        }
        List<ChangeRecord> since = new ArrayList<>();
        long after = 0;
        while (true) {
            AuditTrail.Page page = audit.query(new AuditQuery(null, null, o.sinceNanos(), null, after, AuditQuery.LIMIT), c -> true);
            since.addAll(page.entries());
            if (page.entries().isEmpty() || page.next() <= after) break;
            after = page.next();
        }
        UndoPlan plan = UndoPlan.of(o.agent(), o.sinceNanos(), since);
        List<RollbackResult.Entry> out = new ArrayList<>();
        for (UndoPlan.Step s : plan.steps()) {
            String p = s.path();
            if (s.conflict()) {
                out.add(new RollbackResult.Entry(p, "conflict", 0, 0));
                continue;
            }
            if (!agents.canWriteTree(me, p)) {
                out.add(new RollbackResult.Entry(p, "denied", 0, 0));
                continue;
            }
            PathVersion before = null;
            for (PathVersion pv : store.pathHistory(p)) if (pv.time() < s.firstTimeNanos()) before = pv;
            if (before == null || before.isGone()) {
                // The path did not exist before the agent's first change: it goes away again.
                try {
                    d.dispatch(caller, new Op.Remove(p, true));
                    out.add(new RollbackResult.Entry(p, "removed", 0, store.latestPathVersion(p).map(PathVersion::number).orElse(0L)));
                } catch (NoSuchFileException gone) {
                    out.add(new RollbackResult.Entry(p, "unchanged", 0, 0));
                }
                continue;
            }
            long t = s.firstTimeNanos() - 1;
            Instant at = Instant.ofEpochSecond(Math.floorDiv(t, 1_000_000_000L), Math.floorMod(t, 1_000_000_000L));
            out.addAll(d.dispatch(caller, new Op.Rollback(p, Op.RollbackTarget.at(at))).changed());
        }
        return new RollbackResult(out);
    }
}
