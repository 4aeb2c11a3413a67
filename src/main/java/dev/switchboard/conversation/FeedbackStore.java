package dev.switchboard.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where people's verdicts on answers are kept, with the answer's thread: forgetting a thread forgets them, forgetting
 * a user forgets the verdicts they gave, and an export carries them. Only answers count: a verdict on a message that
 * is not one of the thread's assistant turns is not stored. Thread-safe; a call that returns normally has made its
 * change durable.
 */
public interface FeedbackStore {

    /**
     * Stores {@code userId}'s verdict on the answer of thread {@code key} that carries platform message
     * {@code messageId}, replacing the verdict that person gave that answer before. Provider and model come from the
     * answer's turn.
     *
     * @return what was stored, or empty when no answer of that thread carries that message (nothing is stored)
     * @throws StoreException if the change could not be made durable
     */
    Optional<Feedback.Given> giveFeedback(ConversationKey key, String messageId, String userId, Verdict verdict,
                                          Instant at);

    /** The verdicts given on a thread's answers, oldest first; empty for an unknown thread. */
    List<Feedback> feedback(ConversationKey key);

    /**
     * The verdicts of every stored thread given (last pressed) at or after {@code since}, added up by provider and
     * model, sorted by provider and model. May read every thread's verdicts: callers cache it.
     */
    List<FeedbackTally> feedbackTally(Instant since);
}
