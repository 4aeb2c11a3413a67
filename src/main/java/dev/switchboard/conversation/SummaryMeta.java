package dev.switchboard.conversation;

import java.util.Objects;

/**
 * What a summary turn stands for. Turns are numbered from 1 in the order the store holds them, archived turns
 * included, summary turns too: a summary covering 1..n replaces those turns in prompts, an earlier summary among
 * them included (summaries roll forward). Immutable.
 *
 * @param throughTurn the number of the last turn it covers; it covers turns 1 to this
 * @param provider the provider name that wrote it
 * @param model the model id that wrote it
 */
public record SummaryMeta(int throughTurn, String provider, String model) {

    public SummaryMeta {
        if (throughTurn < 1) {
            throw new IllegalArgumentException("a summary covers at least turn 1, not up to " + throughTurn);
        }
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
    }
}
