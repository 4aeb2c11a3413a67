package dev.switchboard.adapter.discord;

import dev.switchboard.answering.ChatThread;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.live.SideBySide;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A {@code /compare} on Discord: the command's response names the question and the models; each model's answer is a
 * message of its own in the channel, a reply to that response, every one spending from the channel's budgets and
 * finished as an ordinary reply is.
 */
final class DiscordComparison implements ChatThread<ReplySurface>, SideBySide {

    private final List<String> models;
    private final List<DiscordThread> sides = new ArrayList<>();
    private final String botId;

    DiscordComparison(List<String> models, String botId, Supplier<DiscordThread> side) {
        this.models = List.copyOf(models);
        this.botId = botId;
        for (int i = 0; i < models.size(); i++) {
            sides.add(side.get());
        }
    }

    @Override
    public ReplySurface surface() {
        return this;
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
}
