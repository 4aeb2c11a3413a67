package dev.switchboard.routing;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.switchboard.conversation.ConversationKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which targets answer in a channel and with which prompt: the configured routes and overrides, with operators'
 * choices (a route, a pinned model, a system prompt) per {@code platform/workspace/channel} winning. Thread-safe.
 */
final class RouteChoices {

    private static final Logger log = LoggerFactory.getLogger(RouteChoices.class);

    /**
     * The targets to try, in order, and the system prompt before placeholders are filled.
     */
    record Plan(List<Target> targets, String systemPrompt, String route) { }

    private volatile RouteTable routes;
    private final Map<String, Target> pins = new ConcurrentHashMap<>();
    private final Map<String, String> routeChoices = new ConcurrentHashMap<>();
    private final Map<String, String> promptChoices = new ConcurrentHashMap<>();

    RouteChoices(RouteTable routes) {
        this.routes = routes;
    }

    /** Takes new routes; a chosen route that no longer exists is forgotten. */
    void reconfigure(RouteTable table) {
        routeChoices.values().removeIf(route -> !table.hasRoute(route));
        this.routes = table;
    }

    Plan plan(ConversationKey key, RandomGenerator random) {
        return plan(key, random, null);
    }

    /**
     * @param preferred the model the asking user chose, or null: it answers first unless an operator pinned one
     */
    Plan plan(ConversationKey key, RandomGenerator random, Target preferred) {
        String scope = scope(key);
        RouteTable.Resolved route = routes.resolve(key, routeChoices.get(scope), promptChoices.get(scope));
        List<Target> order = new ArrayList<>(RouteTable.order(route.targets(), random));
        Target pinned = pins.get(scope);
        if (pinned != null) {
            // The operator's choice answers first, whatever the priorities; the route's targets stay as fallbacks.
            order.removeIf(t -> t.id().equals(pinned.id()));
            order.addFirst(pinned);
        } else if (preferred != null) {
            order.removeIf(t -> t.id().equals(preferred.id()));
            order.addFirst(preferred);
        }
        return new Plan(List.copyOf(order), route.systemPrompt(), route.route());
    }

    /** @return null when done; otherwise why not, for the operator */
    String pinModel(ConversationKey channel, String providerSlashModel, ProviderRegistry providers) {
        if (providerSlashModel == null) {
            pins.remove(scope(channel));
            log.info("model pin removed {}", kv("channel", scope(channel)));
            return null;
        }
        int slash = providerSlashModel.indexOf('/');
        if (slash <= 0 || slash == providerSlashModel.length() - 1) {
            return "write it as provider/model, e.g. " + providers.names().stream().findFirst().orElse("openai")
                    + "/" + "model-name";
        }
        String provider = providerSlashModel.substring(0, slash);
        ProviderState state = providers.get(provider);
        if (state == null) {
            return "there is no provider \"" + provider + "\"; known: " + String.join(", ", providers.names());
        }
        if (state.availability() instanceof Availability.OffInConfig) {
            return "provider \"" + provider + "\" is off in the config";
        }
        pins.put(scope(channel), new Target(provider, providerSlashModel.substring(slash + 1), -1, 1));
        log.info("model pinned {} {}", kv("channel", scope(channel)), kv("target", providerSlashModel));
        return null;
    }

    /** @return null when done; otherwise why not */
    String chooseRoute(ConversationKey channel, String route) {
        if (route == null) {
            routeChoices.remove(scope(channel));
            return null;
        }
        if (!routes.hasRoute(route)) {
            return "there is no route \"" + route + "\" under routing.routes in the config";
        }
        routeChoices.put(scope(channel), route);
        log.info("route chosen {} {}", kv("channel", scope(channel)), kv("route", route));
        return null;
    }

    void choosePrompt(ConversationKey channel, String prompt) {
        if (prompt == null || prompt.isBlank()) {
            promptChoices.remove(scope(channel));
        } else {
            promptChoices.put(scope(channel), prompt);
        }
    }

    Map<String, String> routeChoices() {
        return new TreeMap<>(routeChoices);
    }

    Map<String, String> promptChoices() {
        return new TreeMap<>(promptChoices);
    }

    Map<String, String> pins() {
        Map<String, String> out = new TreeMap<>();
        pins.forEach((scope, target) -> out.put(scope, target.id()));
        return out;
    }

    Optional<String> pinnedModel(ConversationKey channel) {
        return Optional.ofNullable(pins.get(scope(channel))).map(Target::id);
    }

    private static String scope(ConversationKey key) {
        return key.platform() + "/" + key.workspace() + "/" + key.channel();
    }
}
