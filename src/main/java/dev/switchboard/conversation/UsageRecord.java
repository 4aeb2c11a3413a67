package dev.switchboard.conversation;

import java.time.Instant;
import java.util.Objects;

/**
 * What one reply used: who asked where, which target answered, tokens and cost. Immutable.
 *
 * @param at when the reply completed
 * @param platform the chat platform
 * @param workspace the workspace or guild
 * @param channel the channel
 * @param user the user who asked
 * @param provider the provider that answered
 * @param model the model that answered
 * @param inputTokens tokens in the prompt
 * @param outputTokens tokens in the answer
 * @param costUsd cost by the config's price table, 0 where none is set
 */
public record UsageRecord(Instant at, String platform, String workspace, String channel, String user,
                          String provider, String model, long inputTokens, long outputTokens, double costUsd,
                          int toolSteps) {

    public UsageRecord(Instant at, String platform, String workspace, String channel, String user, String provider,
                       String model, long inputTokens, long outputTokens, double costUsd) {
        this(at, platform, workspace, channel, user, provider, model, inputTokens, outputTokens, costUsd, 0);
    }

    public UsageRecord {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        platform = platform == null ? "" : platform;
        workspace = workspace == null ? "" : workspace;
        channel = channel == null ? "" : channel;
        user = user == null ? "" : user;
    }
}
