package dev.switchboard.answering;

import dev.switchboard.conversation.Turn;
import java.util.List;

/**
 * What an adapter offers for answering one message: where the reply is shown and the thread's earlier messages.
 * Implemented by each adapter; {@link Conversations} calls it from its own threads.
 *
 * @param <S> where the platform shows the reply, handed to the {@link ReplyStarter} as it is
 */
public interface ChatThread<S> {

    /** Where the reply is shown. */
    S surface();

    /**
     * The thread's earlier messages as the platform has them, oldest first, without the message being answered;
     * asked once when the store holds nothing for the thread (the bot was added mid-thread, data was wiped). May
     * block within the platform's rate limit; runs on a virtual thread.
     */
    default List<Turn> earlierTurns() {
        return List.of();
    }
}
