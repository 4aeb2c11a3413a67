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

    /**
     * The platform ids of the messages an earlier try at this answer showed but never noted, oldest first: the process
     * stopped right after the platform took a post and before it wrote the post's id down. Asked before answering a
     * message that was stored earlier and left unanswered by another try, when the store lists none of that try's
     * messages; the reply then continues in them instead of leaving them behind. Empty where the platform cannot tell
     * (the default). May block within the platform's rate limits; runs on a virtual thread. A failure is logged and
     * the reply starts afresh.
     */
    default List<String> shownUnnoted() {
        return List.of();
    }

    /**
     * What this answer needs beyond the thread's turns, asked once just before it starts (after any rebuild). May
     * block within the platform's rate limits; runs on a virtual thread. A failure is logged and the answer goes on
     * without it.
     */
    default ThreadContext context() {
        return ThreadContext.NONE;
    }

    /**
     * The name of the channel the user looks at beside the conversation (Slack's agent view), for
     * {@code {viewing_channel}}; empty when not known, and then the conversation's note
     * {@value ThreadContext#VIEWING_CHANNEL_NAME_NOTE} is used. Asked just before the answer starts; may wait a
     * moment for the platform; runs on a virtual thread.
     */
    default String viewingChannel() {
        return "";
    }
}
