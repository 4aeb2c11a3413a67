package dev.switchboard.admin;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.OperatorSettings;
import dev.switchboard.routing.Availability;
import dev.switchboard.routing.Router;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operator settings as changes: what a router holds now, one state applied over another (undoing what the new one
 * lacks), and one node's change laid over settings others may have changed meanwhile. Stateless.
 */
final class SettingsChanges {

    private static final Logger log = LoggerFactory.getLogger(Settings.class);

    private SettingsChanges() {
    }

    /** The operator settings a router holds now. */
    static OperatorSettings of(Router router) {
        return new OperatorSettings(router.providers().stream()
                .filter(p -> p.availability() instanceof Availability.TurnedOff).map(Router.ProviderStatus::name)
                .toList(), router.pins(), router.routeChoices(), router.promptChoices(), router.userDefaults());
    }

    /**
     * Makes a router that holds {@code from} hold {@code to}: what differs is set, what {@code to} lacks is undone (a
     * provider put back, a pin, route or prompt back to the config's, a user's default cleared).
     *
     * @return how many settings changed
     */
    static int apply(Router router, OperatorSettings from, OperatorSettings to) {
        int changed = 0;
        TreeSet<String> providers = new TreeSet<>(from.providersOff());
        providers.addAll(to.providersOff());
        for (String provider : providers) {
            boolean off = to.providersOff().contains(provider);
            if (off != from.providersOff().contains(provider)) {
                changed++;
                if (!router.setProviderEnabled(provider, !off) && off) {
                    log.warn("operator settings turn off provider {}, which the config no longer has", provider);
                }
            }
        }
        changed += each(from.pins(), to.pins(), (scope, target) -> router.pinModel(channel(scope), target), "pin");
        changed += each(from.routes(), to.routes(), (scope, route) -> router.chooseRoute(channel(scope), route),
                "route");
        changed += each(from.prompts(), to.prompts(), (scope, prompt) -> {
            router.choosePrompt(channel(scope), prompt);
            return null;
        }, "prompt");
        changed += each(from.userModels(), to.userModels(), (scope, target) -> {
            int slash = scope.indexOf('/');
            if (slash > 0) {
                router.chooseUserDefault(scope.substring(0, slash), scope.substring(slash + 1), target);
            }
            return null;
        }, "user's default model");
        return changed;
    }

    /** Sets each scope whose value differs, with null where {@code to} has none; returns how many. */
    private static int each(Map<String, String> from, Map<String, String> to,
                            BiFunction<String, String, String> set, String what) {
        TreeSet<String> scopes = new TreeSet<>(from.keySet());
        scopes.addAll(to.keySet());
        int changed = 0;
        for (String scope : scopes) {
            String value = to.get(scope);
            if (!Objects.equals(from.get(scope), value)) {
                changed++;
                String problem = set.apply(scope, value);
                if (problem != null) {
                    log.warn("operator settings set the {} in {} to {}, which is not possible now: {}", what, scope,
                            value, problem);
                }
            }
        }
        return changed;
    }

    /**
     * One node's change laid over the saved settings: what differs between {@code before} and {@code after} is
     * applied to {@code saved}; everything else in {@code saved} (other nodes' changes) stays.
     */
    static OperatorSettings merge(OperatorSettings before, OperatorSettings after, OperatorSettings saved) {
        TreeSet<String> off = new TreeSet<>(saved.providersOff());
        before.providersOff().stream().filter(p -> !after.providersOff().contains(p)).forEach(off::remove);
        after.providersOff().stream().filter(p -> !before.providersOff().contains(p)).forEach(off::add);
        return new OperatorSettings(off.stream().toList(), merge(before.pins(), after.pins(), saved.pins()),
                merge(before.routes(), after.routes(), saved.routes()),
                merge(before.prompts(), after.prompts(), saved.prompts()),
                merge(before.userModels(), after.userModels(), saved.userModels()));
    }

    private static Map<String, String> merge(Map<String, String> before, Map<String, String> after,
                                             Map<String, String> saved) {
        Map<String, String> out = new HashMap<>(saved);
        TreeSet<String> scopes = new TreeSet<>(before.keySet());
        scopes.addAll(after.keySet());
        for (String scope : scopes) {
            String value = after.get(scope);
            if (!Objects.equals(before.get(scope), value)) {
                if (value == null) {
                    out.remove(scope);
                } else {
                    out.put(scope, value);
                }
            }
        }
        return out;
    }

    private static ConversationKey channel(String scope) {
        String[] parts = scope.split("/", 3);
        return new ConversationKey(parts[0], parts.length > 1 ? parts[1] : "-", parts.length > 2 ? parts[2] : "-",
                "-");
    }
}
