package dev.switchboard.conversation;

import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where operators' changes are kept so a restart keeps them. Implementations are thread-safe; a call that returns
 * normally has made its change durable.
 */
public interface SettingsStore {

    /**
     * The saved settings, or empty when none were ever saved.
     *
     * @throws StoreException if settings are stored but cannot be read (damaged); the next {@link #save} replaces them
     */
    Optional<OperatorSettings> load();

    /**
     * Replaces the saved settings as one change: a crash leaves the old ones or the new ones, never a mix.
     *
     * @throws StoreException if the change could not be made durable
     */
    void save(OperatorSettings settings);

    /**
     * Changes the saved settings in one step that no other process sharing the store can come between: {@code
     * change} gets the saved settings ({@link OperatorSettings#NONE} when none, or damaged ones) and returns what to
     * save. This default suits a store only one process writes, with callers serialising their updates.
     *
     * @return what was saved
     * @throws StoreException if the change could not be made durable
     */
    default OperatorSettings update(UnaryOperator<OperatorSettings> change) {
        OperatorSettings now;
        try {
            now = load().orElse(OperatorSettings.NONE);
        } catch (StoreException damaged) {
            now = OperatorSettings.NONE; // reported when they were loaded; replaced now, as save does
        }
        OperatorSettings next = change.apply(now);
        save(next);
        return next;
    }
}
