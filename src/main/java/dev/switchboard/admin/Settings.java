package dev.switchboard.admin;

import dev.switchboard.conversation.OperatorSettings;
import dev.switchboard.conversation.SettingsStore;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.routing.Router;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators and users changed with commands (providers taken out of rotation, models pinned, routes and prompts
 * chosen per channel, users' default models): applied to the router at start, saved through a {@link SettingsStore}
 * on every change so a restart keeps them, and read again when another node sharing the store changed them.
 * Thread-safe: changes and reads of one node take turns.
 */
public final class Settings {

    private static final Logger log = LoggerFactory.getLogger(Settings.class);

    private final SettingsStore store;
    private final List<Runnable> whenChanged = new CopyOnWriteArrayList<>();

    public Settings(SettingsStore store) {
        this.store = store;
    }

    /** Applies the saved settings to the router at start; damaged settings are reported and left for the operator. */
    public void applyTo(Router router) {
        OperatorSettings state = follow(router);
        if (state != null) {
            log.info("operator settings: {} providers turned off, {} model pins, {} routes, {} prompts, {} users'"
                    + " default models", state.providersOff().size(), state.pins().size(), state.routes().size(),
                    state.prompts().size(), state.userModels().size());
        }
    }

    /**
     * Reads the saved settings again and makes the router hold them, undoing what they no longer have; for when
     * another node changed them, or may have while this one could not hear.
     */
    public void refresh(Router router) {
        follow(router);
    }

    private synchronized OperatorSettings follow(Router router) {
        OperatorSettings state;
        try {
            state = store.load().orElse(OperatorSettings.NONE);
        } catch (StoreException e) {
            log.error("{}; going on without them", e.getMessage());
            return null;
        }
        int changed = SettingsChanges.apply(router, SettingsChanges.of(router), state);
        if (changed > 0) {
            log.info("operator settings read again: {} changed", changed);
        }
        return state;
    }

    /** Runs {@code listener} after each change this node saved (to tell the other nodes). */
    public void whenChanged(Runnable listener) {
        whenChanged.add(listener);
    }

    /**
     * Makes one change to the router and saves it: only what the change altered is laid over the saved settings, so
     * what other nodes saved meanwhile stays, and comes into this router too. A change that alters nothing (refused,
     * or already so) saves nothing.
     *
     * @param change alters the router and returns its result (for most, why it was refused, or null)
     * @return what {@code change} returned
     */
    synchronized <T> T change(Router router, Supplier<T> change) {
        OperatorSettings before = SettingsChanges.of(router);
        T result = change.get();
        OperatorSettings after = SettingsChanges.of(router);
        if (after.equals(before)) {
            return result;
        }
        OperatorSettings saved = store.update(now -> SettingsChanges.merge(before, after, now));
        SettingsChanges.apply(router, after, saved);
        for (Runnable listener : whenChanged) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.warn("operator settings saved, but telling the other nodes failed ({}); they read them at their"
                        + " next reconnection or change", e.toString());
            }
        }
        return result;
    }
}
