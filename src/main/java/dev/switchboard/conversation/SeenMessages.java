package dev.switchboard.conversation;

import java.time.Instant;
import java.util.List;

/**
 * The record of platform messages already taken, so that a message delivered twice (a platform's retry, a second
 * event for the same message, a restart in between) is answered once. A user turn appended with a platform message
 * id marks that id seen; an assistant turn whose {@link AssistantMeta#replyTo()} names it marks it answered. A store
 * on a database keeps the seen ids under a unique key. Implementations are thread-safe.
 */
public interface SeenMessages {

    /** What the store knows of one platform message. */
    enum Seen {
        /** Never stored: a new message. */
        NEW,
        /** Stored, and no answer stored: the process stopped between taking it and answering it. */
        UNANSWERED,
        /** Stored and answered: a duplicate delivery. */
        ANSWERED
    }

    /** A user message stored and not answered. */
    record Pending(ConversationKey key, Turn message) { }

    /** What is known of the message {@code messageId} in the thread {@code key}. */
    Seen seen(ConversationKey key, String messageId);

    /**
     * User messages of a platform stored after {@code since} that carry a platform message id and have no answer
     * stored, oldest first within each thread.
     */
    List<Pending> unanswered(String platform, Instant since);
}
