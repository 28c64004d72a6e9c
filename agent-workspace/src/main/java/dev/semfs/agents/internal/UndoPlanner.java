package dev.semfs.agents.internal;

import dev.semfs.agents.UndoPlan;
import dev.semfs.versioning.ChangeRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans "undo agent X since T" from the change log. A change touches its path, and for a rename
 * or link also its second path. Another agent's change conflicts with X's change to P when it
 * comes later and touches P or a path below P, or moves or removes a directory above P.
 */
public final class UndoPlanner {
    /** Entries that change nothing in the tree: never undone, never conflicts. */
    private static final Set<String> NOT_MUTATIONS = Set.of("snapshot", "conflict");
    /** Operations on a directory that affect everything below it. */
    private static final Set<String> TREE_OPS = Set.of("rename", "rmdir", "delete", "rollback", "restore");

    private UndoPlanner() {}

    public static List<UndoPlan.Step> plan(String agent, long sinceNanos, List<ChangeRecord> changes) {
        Map<String, ChangeRecord> first = new LinkedHashMap<>();
        List<ChangeRecord> others = new ArrayList<>();
        for (ChangeRecord c : changes) {
            if (c.time() < sinceNanos || NOT_MUTATIONS.contains(c.op())) continue;
            if (c.agent().equals(agent)) {
                for (String p : touched(c)) first.putIfAbsent(p, c);
            } else {
                others.add(c);
            }
        }
        List<UndoPlan.Step> steps = new ArrayList<>();
        for (Map.Entry<String, ChangeRecord> e : first.entrySet()) {
            String path = e.getKey();
            ChangeRecord mine = e.getValue();
            ChangeRecord conflict = null;
            for (ChangeRecord o : others) {
                if (o.seq() <= mine.seq()) continue;
                if (conflicts(o, path)) {
                    conflict = o;
                    break;
                }
            }
            steps.add(new UndoPlan.Step(path, mine.seq(), mine.time(),
                    conflict == null ? null : conflict.agent(), conflict == null ? 0 : conflict.seq()));
        }
        steps.sort(Comparator.comparing(UndoPlan.Step::path).reversed());
        return steps;
    }

    private static boolean conflicts(ChangeRecord other, String path) {
        for (String q : touched(other)) {
            if (PathPrefix.isUnder(q, path)) return true;
            if (TREE_OPS.contains(other.op()) && PathPrefix.isStrictlyUnder(path, q)) return true;
        }
        return false;
    }

    static List<String> touched(ChangeRecord c) {
        List<String> out = new ArrayList<>(2);
        if (c.path() != null && c.path().startsWith("/")) out.add(c.path());
        boolean second = c.op().equals("rename") || c.op().equals("link");
        if (second && c.toPath() != null && c.toPath().startsWith("/")) out.add(c.toPath());
        return out;
    }
}
