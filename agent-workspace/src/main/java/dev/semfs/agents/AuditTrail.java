package dev.semfs.agents;

import dev.semfs.agents.internal.ChangeLogAuditTrail;
import dev.semfs.versioning.ChangeRecord;
import dev.semfs.versioning.WorkspaceStore;
import java.io.IOException;
import java.util.List;
import java.util.function.Predicate;

/**
 * The audit trail: queries over the store's change log, which records every mutation with its
 * agent, front end, time, path and version in the same atomic batch as the mutation.
 *
 * <p>Thread-safe; reads only.
 */
public interface AuditTrail {

    static AuditTrail over(WorkspaceStore store) {
        return new ChangeLogAuditTrail(store);
    }

    /**
     * Entries matching {@code query} and {@code visible}, in log order.
     *
     * @param visible decides per entry whether the asking agent may see it (permissions)
     */
    Page query(AuditQuery query, Predicate<ChangeRecord> visible) throws IOException;

    /** Matching entries and the last sequence number looked at (pass it as afterSeq to go on). */
    record Page(List<ChangeRecord> entries, long next) {}
}
