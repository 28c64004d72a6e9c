package dev.semfs.agents.internal;

import dev.semfs.agents.AuditQuery;
import dev.semfs.agents.AuditTrail;
import dev.semfs.versioning.ChangeRecord;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Audit queries over {@link WorkspaceStore#changes}. The log is keyed by sequence number and
 * its times follow the store clock, so a query with a start time first finds the first entry at
 * or after it by binary search over sequence numbers (one seek per step) instead of scanning
 * the whole log. Should the clock ever have stepped back, entries logged during the step may be
 * missed at the edge of a time range; the sequence order itself is exact.
 */
public final class ChangeLogAuditTrail implements AuditTrail {
    private static final int PAGE = 1000;
    private final WorkspaceStore store;

    public ChangeLogAuditTrail(WorkspaceStore store) {
        this.store = store;
    }

    @Override
    public Page query(AuditQuery q, Predicate<ChangeRecord> visible) throws IOException {
        int limit = q.limit();
        long next = Math.max(0, q.afterSeq());
        if (q.sinceNanos() != null) next = Math.max(next, seqBefore(q.sinceNanos()));
        List<ChangeRecord> out = new ArrayList<>();
        long last = store.lastChangeSeq();
        scan:
        while (out.size() < limit && next < last) {
            List<ChangeRecord> page = store.changes(next, PAGE);
            if (page.isEmpty()) break;
            for (ChangeRecord c : page) {
                if (q.untilNanos() != null && c.time() >= q.untilNanos()) {
                    next = last; // the log is in time order: nothing later can match
                    break scan;
                }
                next = c.seq();
                if (matches(q, c) && visible.test(c)) {
                    out.add(c);
                    if (out.size() >= limit) break scan;
                }
            }
        }
        return new Page(out, next);
    }

    private static boolean matches(AuditQuery q, ChangeRecord c) {
        if (q.agent() != null && !q.agent().equals(c.agent())) return false;
        if (q.sinceNanos() != null && c.time() < q.sinceNanos()) return false;
        if (q.pathPrefix() != null && !q.pathPrefix().equals("/")) {
            boolean path = c.path() != null && PathPrefix.isUnder(c.path(), q.pathPrefix());
            boolean to = c.toPath() != null && c.toPath().startsWith("/") && PathPrefix.isUnder(c.toPath(), q.pathPrefix());
            return path || to;
        }
        return true;
    }

    /** The largest sequence number whose entry is before {@code time} (0 if none): scanning after it finds the rest. */
    private long seqBefore(long time) throws IOException {
        long lo = 0;                        // invariant: entry lo is before time (0 = before the log)
        long hi = store.lastChangeSeq() + 1; // invariant: entry hi is at or after time (or past the end)
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            List<ChangeRecord> at = store.changes(mid - 1, 1);
            if (at.isEmpty()) {
                hi = mid;
                continue;
            }
            ChangeRecord c = at.getFirst();
            if (c.seq() >= hi) {
                hi = mid;
            } else if (c.time() < time) {
                lo = c.seq();
            } else {
                hi = mid; // entries mid .. c.seq()-1, if any are missing, cannot be before time either
            }
        }
        return lo;
    }
}
