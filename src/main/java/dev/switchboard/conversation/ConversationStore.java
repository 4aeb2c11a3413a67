package dev.switchboard.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where thread history lives, and with it the record of the platform messages already taken ({@link SeenMessages}):
 * both change in one step, as a turn is appended. Implementations are thread-safe: concurrent appends to one
 * conversation all land, in the order the calls took the conversation's lock, while different conversations proceed
 * in parallel. A call that returns normally has made its change durable. Verdicts on answers ({@link FeedbackStore})
 * live with their thread: {@link #forget}, {@link #forgetUser} and {@link #deleteNotUpdatedSince} take them too.
 */
public interface ConversationStore extends SeenMessages, FeedbackStore, AutoCloseable {

    /** The conversation with its recent turns (archived turns counted, not loaded), or empty if none is stored. */
    Optional<Conversation> load(ConversationKey key);

    /** The conversation with every turn, archived ones included: what {@link ConversationExport} is made from. */
    Optional<Conversation> loadComplete(ConversationKey key);

    /**
     * Adds a turn, creating the conversation (started at the turn's time) if needed.
     *
     * @return the conversation after the append, recent turns only
     * @throws TurnRejectedException if the turn breaks a configured limit
     * @throws StoreException if the change could not be made durable
     */
    Conversation append(ConversationKey key, Turn turn);

    /**
     * Adds a turn only while the thread's lease is still {@code lease} (nodes sharing one store: the node answering
     * the thread has not been replaced since its reply started), checked in the append's own transaction. A store
     * without leases (one process) appends as {@link #append(ConversationKey, Turn)} does.
     *
     * @throws LeaseLostException if another node holds the thread's lease now, or holds it under a newer epoch
     */
    default Conversation append(ConversationKey key, Turn turn, LeaseToken lease) {
        return append(key, turn);
    }

    /**
     * Adds a turn as {@link #append(ConversationKey, Turn)} does and sets the metadata entry {@code name} to
     * {@code value} in the same durable step (one write, one transaction): a fact that came with the message, such as
     * its channel's name, costs no write of its own. The conversation counts as updated at the turn's time.
     *
     * @throws TurnRejectedException if the turn breaks a configured limit
     * @throws StoreException if the change could not be made durable
     */
    Conversation appendNoted(ConversationKey key, Turn turn, String name, String value);

    /**
     * Adds an answer's turn and removes the metadata entry {@code note} in the same durable step (one write, one
     * transaction): the reply is whole, so the note that let a restart take it over goes as it is stored. Under
     * {@code lease} as {@link #append(ConversationKey, Turn, LeaseToken)} when that is not null. The conversation
     * counts as updated when the step was made, as {@link #putMetadata} makes it.
     *
     * @throws LeaseLostException if {@code lease} is not null and no longer the thread's
     */
    Conversation appendAnswer(ConversationKey key, Turn turn, LeaseToken lease, String note);

    /**
     * Replaces the attachments of the stored user turn that carries {@code messageId} (the files of a message stored
     * before they were read) and keeps the given blobs once per hash beside the thread. Blobs no attachment refers to
     * are not kept. Does nothing when no such turn is stored (it was forgotten meanwhile).
     *
     * @param blobs the bytes by hex SHA-256; each must hash to its key
     * @throws StoreException if the change could not be made durable
     */
    void attach(ConversationKey key, String messageId, List<Attachment> attachments, java.util.Map<String, byte[]> blobs);

    /** The bytes kept under a hash in a thread, or empty when the thread holds none (dropped, forgotten, never kept). */
    Optional<byte[]> blob(ConversationKey key, String sha256);

    /** Sets ({@code value} non-null) or removes one metadata entry, creating the conversation if needed. */
    Conversation putMetadata(ConversationKey key, String name, String value);

    /** Conversations of a platform, workspace or channel started within the query's months, newest first. */
    List<ConversationSummary> list(ConversationQuery query);

    /** Deletes one thread with its archives, attachments and backups. @return whether anything was stored */
    boolean forget(ConversationKey key);

    /** Removes every turn a user wrote on a platform, in every thread. @return the number of turns removed */
    int forgetUser(String platform, String userId);

    /** Deletes threads not written to since {@code cutoff}. @return the number of threads deleted */
    int deleteNotUpdatedSince(Instant cutoff);

    /** Figures for operators; may take a while on a large store, so callers cache them. */
    StoreStats stats();

    @Override
    void close();
}
