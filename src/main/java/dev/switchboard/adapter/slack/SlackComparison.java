package dev.switchboard.adapter.slack;

import dev.switchboard.answering.ChatThread;
import dev.switchboard.conversation.Turn;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.live.SideBySide;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A {@code /compare} in its Slack thread: each model's answer in messages of its own under the question, every one
 * spending from the thread's budgets, each finished (status, stream, feedback) as an ordinary reply is.
 */
final class SlackComparison implements ChatThread<ReplySurface>, SideBySide {

    private final List<String> models;
    private final List<SlackThread> sides = new ArrayList<>();
    private final String botId;

    /** @param more a further side of the same thread, for the second model on */
    SlackComparison(SlackThread first, List<String> models, String botId, Supplier<SlackThread> more) {
        this.models = List.copyOf(models);
        this.botId = botId;
        sides.add(first);
        for (int i = 1; i < models.size(); i++) {
            sides.add(more.get());
        }
    }

    @Override
    public ReplySurface surface() {
        return this;
    }

    @Override
    public List<Turn> earlierTurns() {
        return sides.getFirst().earlierTurns();
    }

    @Override
    public List<String> models() {
        return models;
    }

    @Override
    public ReplySurface side(int index) {
        return sides.get(index);
    }

    @Override
    public String botId() {
        return botId;
    }

    @Override
    public ReplySink sink() {
        return sides.getFirst().sink();
    }

    @Override
    public List<Budget> budgets() {
        return sides.getFirst().budgets();
    }

    @Override
    public void working() {
        sides.getFirst().working();
    }
}
