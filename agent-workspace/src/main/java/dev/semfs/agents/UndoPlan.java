package dev.semfs.agents;

import dev.semfs.agents.internal.UndoPlanner;
import dev.semfs.versioning.ChangeRecord;
import java.util.List;

/**
 * What "undo agent X since T" does, path by path: every path X changed since T goes back to its
 * state just before X's first change to it since T, unless another agent changed the same path
 * (or something below it, or moved or removed a directory above it) after that first change:
 * then the path is left as it is and reported as a conflict, so no other agent's work is lost.
 *
 * <p>Steps come deepest path first, so children are dealt with before their directories.
 *
 * @param steps one per path X changed
 */
public record UndoPlan(String agent, long sinceNanos, List<Step> steps) {

    /**
     * @param firstTimeNanos time of X's first change to the path since T; the path goes back to
     *                       its state just before it
     * @param conflictAgent  another agent that changed the path after X, or null
     * @param conflictSeq    change-log sequence number of that change, 0 if none
     */
    public record Step(String path, long firstSeq, long firstTimeNanos, String conflictAgent, long conflictSeq) {
        public boolean conflict() {
            return conflictAgent != null;
        }
    }

    /**
     * Plans the undo from {@code changes}: every change-log entry at or after {@code sinceNanos},
     * in sequence order (entries before it are ignored).
     */
    public static UndoPlan of(String agent, long sinceNanos, List<ChangeRecord> changes) {
        return new UndoPlan(agent, sinceNanos, UndoPlanner.plan(agent, sinceNanos, changes));
    }
}
