package dev.switchboard.chat;

import dev.switchboard.conversation.Turn;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ReplySink;
import dev.switchboard.routing.ReplyOutcome;
import java.util.List;

/**
 * What an adapter offers for answering one message: where the reply goes and the platform's extras. Implemented by
 * each adapter; {@link Conversations} calls it from its own threads.
 */
public interface ChatThread {

    /** Where the reply's messages are written. */
    ReplySink sink();

    /** Every write budget a reply in this thread spends from. */
    List<Budget> budgets();

    /**
     * The thread's earlier messages as the platform has them, oldest first, without the message being answered;
     * asked once when the store holds nothing for the thread (the bot was added mid-thread, data was wiped). May
     * block within the platform's rate limit; runs on a virtual thread.
     */
    default List<Turn> earlierTurns() {
        return List.of();
    }

    /** The reply is about to start: show a "thinking" status where the platform has one. */
    default void working() {
    }

    /** The reply ended and its final text is shown (or could not be): clear any status, close any stream. */
    default void finished(ReplyOutcome outcome, List<String> messageIds) {
    }
}
