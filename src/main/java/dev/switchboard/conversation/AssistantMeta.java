package dev.switchboard.conversation;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How an assistant turn was produced: the target that answered, the targets that failed before it, usage and latency.
 * Immutable.
 *
 * @param provider the provider name from the config that produced the text
 * @param model the model id at that provider
 * @param fallbacks the {@code provider/model} targets tried and abandoned before this one, in order
 * @param usage tokens in and out as the provider reported them
 * @param firstToken time from the request to the first token
 * @param latency time from the request to the last token
 * @param replyTo the platform id of the user message this turn answers; empty where unknown (a rebuilt thread)
 */
public record AssistantMeta(
        String provider,
        String model,
        List<String> fallbacks,
        TokenUsage usage,
        Duration firstToken,
        Duration latency,
        String replyTo) {

    public AssistantMeta(String provider, String model, List<String> fallbacks, TokenUsage usage,
                         Duration firstToken, Duration latency) {
        this(provider, model, fallbacks, usage, firstToken, latency, "");
    }

    public AssistantMeta {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        fallbacks = fallbacks == null ? List.of() : List.copyOf(fallbacks);
        usage = usage == null ? TokenUsage.NONE : usage;
        firstToken = firstToken == null ? Duration.ZERO : firstToken;
        latency = latency == null ? Duration.ZERO : latency;
        replyTo = replyTo == null ? "" : replyTo;
    }
}
