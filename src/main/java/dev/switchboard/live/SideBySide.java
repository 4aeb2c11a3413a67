package dev.switchboard.live;

import java.util.List;

/**
 * Where a comparison is shown: one reply per model, each in messages of its own, all in the same thread. As a
 * {@link ReplySurface} itself it stands for the whole comparison (its status, a failure before any model started).
 * Implemented by each adapter.
 */
public interface SideBySide extends ReplySurface {

    /** The models compared, {@code provider/model}, in the order their answers are shown. */
    List<String> models();

    /** Where the answer of {@code models().get(index)} is shown; its own messages, the thread's budgets. */
    ReplySurface side(int index);

    /** The bot's user id on the platform: the author of the answers stored beside the first. */
    String botId();
}
