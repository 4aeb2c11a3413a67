package dev.switchboard.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where thread history lives. Implementations are thread-safe: concurrent appends to one conversation all land,
 * in the order the calls took the conversation's lock. A call that returns normally has made its change durable.
 */
public interface ConversationStore extends AutoCloseable {

    /** The conversation with its recent turns (archived turns counted, not loaded), or empty if none is stored. */
    Optional<Conversation> load(ConversationKey key);

    /** The conversation with every turn, archived ones included. */
    Optional<Conversation> loadComplete(ConversationKey key);

    /**
     * Adds a turn, creating the conversation (started at the turn's time) if needed.
     *
     * @return the conversation after the append, recent turns only
     * @throws TurnRejectedException if the turn breaks a configured limit
     * @throws StoreException if the change could not be made durable
     */
    Conversation append(ConversationKey key, Turn turn);

    /** Sets ({@code value} non-null) or removes one metadata entry, creating the conversation if needed. */
    Conversation putMetadata(ConversationKey key, String name, String value);

    /** Conversations of a platform, workspace or channel started within the query's months, newest first. */
    List<ConversationSummary> list(ConversationQuery query);

    /** Deletes one thread with its archives and backups. @return whether anything was stored */
    boolean forget(ConversationKey key);

    /** Removes every turn a user wrote on a platform, in every thread. @return the number of turns removed */
    int forgetUser(String platform, String userId);

    /** The whole thread as a JSON document, archived turns included. */
    Optional<String> export(ConversationKey key);

    /** Deletes threads not written to since {@code cutoff}. @return the number of threads deleted */
    int deleteNotUpdatedSince(Instant cutoff);

    StoreStats stats();

    @Override
    void close();
}
