package dev.switchboard.live;

import java.util.List;

/**
 * Which write budgets each write of a reply spends. Platforms count some methods apart: Slack limits new messages per
 * channel and edits, and each native-streaming method, per workspace, so a reply's placeholder must not wait for the
 * workspace's edit budget. The live engine asks before every write, so the pacing slot a reply waits for is the one
 * of the method its next write calls. Implementations are thread-safe and answer at once (no I/O).
 */
@FunctionalInterface
public interface Spending {

    /** The kinds of write the live engine makes. */
    enum Op { POST, EDIT, DELETE }

    /**
     * The budgets the write spends, every one of which must have a write free before it goes.
     *
     * @param messageId the message edited or deleted; null for a post
     * @param text the text written; null when not known yet (the engine guessing which write comes next)
     */
    List<Budget> of(Op op, String messageId, String text);

    /** Every write spends from all of {@code budgets} (a platform that counts its writes together). */
    static Spending flat(List<Budget> budgets) {
        List<Budget> all = List.copyOf(budgets);
        return (op, messageId, text) -> all;
    }
}
