package dev.switchboard.adapter.slack;

import dev.switchboard.answering.ChatThread;
import dev.switchboard.conversation.Turn;
import dev.switchboard.live.Comparison;
import dev.switchboard.live.ReplySurface;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A {@code /compare} in its Slack thread: each model's answer in messages of its own under the question, every one
 * spending from the thread's budgets, each finished (status, stream, feedback) as an ordinary reply is.
 */
final class SlackComparison extends Comparison implements ChatThread<ReplySurface> {

    private final SlackThread first;

    /** @param side a new reply in the question's thread, one per model */
    SlackComparison(List<String> models, String botId, Supplier<SlackThread> side) {
        this(models, botId, Stream.generate(side).limit(models.size()).toList());
    }

    private SlackComparison(List<String> models, String botId, List<SlackThread> sides) {
        super(models, botId, sides);
        this.first = sides.getFirst();
    }

    @Override
    public ReplySurface surface() {
        return this;
    }

    @Override
    public List<Turn> earlierTurns() {
        return first.earlierTurns();
    }
}
