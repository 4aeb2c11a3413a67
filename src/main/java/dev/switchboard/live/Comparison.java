package dev.switchboard.live;

import java.util.List;

/**
 * A {@link SideBySide} over one surface per model: the comparison as a whole stands in its first side's place (its
 * sink for a failure before any model started, its budgets, its status). Adapters add what their platform needs.
 */
public class Comparison implements SideBySide {

    private final List<String> models;
    private final String botId;
    private final List<? extends ReplySurface> sides;

    /** @param sides one per model, in the same order */
    protected Comparison(List<String> models, String botId, List<? extends ReplySurface> sides) {
        if (models.size() != sides.size() || sides.isEmpty()) {
            throw new IllegalArgumentException("one side per model, at least one: " + models.size() + " models, "
                    + sides.size() + " sides");
        }
        this.models = List.copyOf(models);
        this.botId = botId;
        this.sides = List.copyOf(sides);
    }

    @Override
    public final List<String> models() {
        return models;
    }

    @Override
    public final ReplySurface side(int index) {
        return sides.get(index);
    }

    @Override
    public final String botId() {
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
    public Spending spending() {
        return sides.getFirst().spending();
    }

    @Override
    public void working() {
        sides.getFirst().working();
    }
}
