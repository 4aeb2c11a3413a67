package dev.switchboard.conversation;

import java.time.Instant;
import java.util.Objects;

/**
 * One person's verdict on one answer of a thread. Immutable.
 *
 * @param answer the first platform message id of the answer's turn: the answer, whichever of its messages was pressed
 * @param userId the platform user who gave it
 * @param verdict 👍 or 👎
 * @param at when it was given (the latest press, when it replaced an earlier one)
 * @param provider who answered, from the turn's {@link AssistantMeta}
 * @param model the model that answered, from the turn's {@link AssistantMeta}
 */
public record Feedback(String answer, String userId, Verdict verdict, Instant at, String provider, String model) {

    public Feedback {
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(at, "at");
        provider = provider == null ? "" : provider;
        model = model == null ? "" : model;
    }

    /**
     * A verdict stored.
     *
     * @param feedback what is stored now
     * @param replaced the same person's earlier verdict on that answer, or null when this is their first
     */
    public record Given(Feedback feedback, Verdict replaced) {

        /** Whether this changed what the answer's verdicts add up to (a new verdict, or a changed one). */
        public boolean changed() {
            return replaced != feedback.verdict();
        }
    }
}
