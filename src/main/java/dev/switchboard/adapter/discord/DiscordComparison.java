package dev.switchboard.adapter.discord;

import dev.switchboard.answering.ChatThread;
import dev.switchboard.live.Comparison;
import dev.switchboard.live.ReplySurface;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A {@code /compare} on Discord: the command's response names the question and the models; each model's answer is a
 * message of its own in the channel, a reply to that response, every one spending from the channel's budgets and
 * finished as an ordinary reply is.
 */
final class DiscordComparison extends Comparison implements ChatThread<ReplySurface> {

    /** @param side a new reply in the channel, one per model */
    DiscordComparison(List<String> models, String botId, Supplier<DiscordThread> side) {
        super(models, botId, Stream.generate(side).limit(models.size()).toList());
    }

    @Override
    public ReplySurface surface() {
        return this;
    }
}
