package dev.switchboard.live;

import dev.switchboard.routing.ReplyOutcome;
import java.util.List;

/**
 * Where one reply is shown on a platform: its sink, every write budget it spends from, and the platform's status
 * around it. Implemented by each adapter; called from the service's threads.
 */
public interface ReplySurface {

    /** Where the reply's messages are written. */
    ReplySink sink();

    /** Every write budget a reply in this thread spends from. */
    List<Budget> budgets();

    /** Which of the budgets each write spends; by default every write spends all of {@link #budgets()}. */
    default Spending spending() {
        return Spending.flat(budgets());
    }

    /** The reply is about to start: show a "thinking" status where the platform has one. */
    default void working() {
    }

    /** The reply ended and its final text is shown (or could not be): clear any status, close any stream. */
    default void finished(ReplyOutcome outcome, List<String> messageIds) {
    }
}
