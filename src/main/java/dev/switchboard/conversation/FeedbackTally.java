package dev.switchboard.conversation;

import java.util.Objects;

/**
 * The verdicts on one model's answers, one per person per answer. Immutable.
 *
 * @param provider the provider name from the config
 * @param model the model id at that provider
 * @param good 👍 given
 * @param bad 👎 given
 */
public record FeedbackTally(String provider, String model, long good, long bad) {

    public FeedbackTally {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        if (good < 0 || bad < 0) {
            throw new IllegalArgumentException("verdict counts must not be negative");
        }
    }

    public long total() {
        return good + bad;
    }

    /** The share of 👍 in percent, rounded; 0 when there is no verdict. */
    public int goodPercent() {
        return total() == 0 ? 0 : (int) Math.round(100.0 * good / total());
    }

    /** {@code provider/model: 67% 👍 (2 of 3)}, as operators read it. */
    public String describe() {
        return target() + ": " + goodPercent() + "% 👍 (" + good + " of " + total() + ")";
    }

    /** {@code provider/model}. */
    public String target() {
        return provider + "/" + model;
    }
}
