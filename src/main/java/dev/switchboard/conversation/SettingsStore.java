package dev.switchboard.conversation;

import java.util.Optional;

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
}
