package dev.switchboard.admin;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.OperatorSettings;
import dev.switchboard.conversation.SettingsStore;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.routing.Availability;
import dev.switchboard.routing.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators changed with commands (providers taken out of rotation, models pinned per channel): applied to the
 * router at start and saved through a {@link SettingsStore} on every change, so a restart keeps them. Thread-safe.
 */
public final class Settings {

    private static final Logger log = LoggerFactory.getLogger(Settings.class);

    private final SettingsStore store;

    public Settings(SettingsStore store) {
        this.store = store;
    }

    /** Applies the saved settings to the router; damaged settings are reported and left for the operator. */
    public void applyTo(Router router) {
        OperatorSettings state;
        try {
            state = store.load().orElse(null);
        } catch (StoreException e) {
            log.error("{}; starting without them", e.getMessage());
            return;
        }
        if (state == null) {
            return;
        }
        for (String provider : state.providersOff()) {
            if (!router.setProviderEnabled(provider, false)) {
                log.warn("operator settings turn off provider {}, which the config no longer has", provider);
            }
        }
        state.pins().forEach((scope, target) -> {
            String problem = router.pinModel(channel(scope), target);
            if (problem != null) {
                log.warn("operator settings pin {} in {}, which is not possible now: {}", target, scope, problem);
            }
        });
        state.routes().forEach((scope, route) -> {
            String problem = router.chooseRoute(channel(scope), route);
            if (problem != null) {
                log.warn("operator settings choose route {} in {}, which is not possible now: {}", route, scope,
                        problem);
            }
        });
        state.prompts().forEach((scope, prompt) -> router.choosePrompt(channel(scope), prompt));
        state.userModels().forEach((scope, target) -> {
            int slash = scope.indexOf('/');
            if (slash > 0) {
                router.chooseUserDefault(scope.substring(0, slash), scope.substring(slash + 1), target);
            }
        });
        log.info("operator settings: {} providers turned off, {} model pins, {} routes, {} prompts, {} users' default"
                + " models", state.providersOff().size(), state.pins().size(), state.routes().size(),
                state.prompts().size(), state.userModels().size());
    }

    private static ConversationKey channel(String scope) {
        String[] parts = scope.split("/", 3);
        return new ConversationKey(parts[0], parts.length > 1 ? parts[1] : "-", parts.length > 2 ? parts[2] : "-",
                "-");
    }

    /** Saves the router's current operator settings. */
    public synchronized void save(Router router) {
        OperatorSettings state = new OperatorSettings(router.providers().stream()
                .filter(p -> p.availability() instanceof Availability.TurnedOff).map(Router.ProviderStatus::name)
                .toList(), router.pins(), router.routeChoices(), router.promptChoices(), router.userDefaults());
        store.save(state);
    }
}
