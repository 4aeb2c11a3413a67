package dev.switchboard.routing;

import dev.switchboard.conversation.ConversationKey;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Decides which targets answer in a conversation and with which system prompt: a channel's override, else its
 * workspace's, else the default route. Without any configured route, every active provider's first model forms one,
 * in config order. Immutable and thread-safe.
 */
final class RouteTable {

    /** The route chosen for a conversation. */
    record Resolved(String route, List<Target> targets, String systemPrompt) {
    }

    private static final String DEFAULT_PROMPT =
            "You are a helpful assistant in {channel}, talking with {user}. Today is {date}.";

    private final RouterOptions routing;

    RouteTable(RouterOptions routing) {
        this.routing = routing;
    }

    /** Whether the config has a route of this name. */
    boolean hasRoute(String name) {
        return routing.routes().containsKey(name);
    }

    Resolved resolve(ConversationKey key) {
        return resolve(key, null, null);
    }

    /**
     * As {@link #resolve(ConversationKey)}, with an operator's choices for the channel winning over the config.
     *
     * @param routeOverride a route name set by an operator, or null
     * @param promptOverride a system prompt set by an operator, or null
     */
    Resolved resolve(ConversationKey key, String routeOverride, String promptOverride) {
        RouterOptions.Override channel = null;
        RouterOptions.Override workspace = null;
        for (RouterOptions.Override o : routing.overrides()) {
            if (!o.platform().equals(key.platform()) || !o.workspace().equals(key.workspace())) {
                continue;
            }
            if (o.channel().equals(key.channel())) {
                channel = o;
            } else if (o.channel().isEmpty()) {
                workspace = o;
            }
        }
        String routeName = firstNonNull(routeOverride, channel == null ? null : channel.route(),
                workspace == null ? null : workspace.route(), routing.defaultRoute());
        RouterOptions.Route route = routing.routes().get(routeName);
        String prompt = firstNonNull(promptOverride, channel == null ? null : channel.systemPrompt(),
                workspace == null ? null : workspace.systemPrompt(),
                route == null ? DEFAULT_PROMPT : route.systemPrompt());
        List<Target> targets = new ArrayList<>();
        if (route != null) {
            targets.addAll(route.targets());
        } else {
            int priority = 0;
            for (var entry : routing.providers().entrySet()) {
                if (entry.getValue().active()) {
                    targets.add(new Target(entry.getKey(), entry.getValue().models().getFirst(), priority++, 1));
                }
            }
        }
        return new Resolved(route == null ? "(every active provider)" : routeName, List.copyOf(targets), prompt);
    }

    /** Targets by priority, lowest first; within a priority a weighted random order, so load is shared. */
    static List<Target> order(List<Target> targets, RandomGenerator random) {
        TreeMap<Integer, List<Target>> byPriority = new TreeMap<>();
        for (Target t : targets) {
            byPriority.computeIfAbsent(t.priority(), p -> new ArrayList<>()).add(t);
        }
        List<Target> ordered = new ArrayList<>(targets.size());
        for (List<Target> group : byPriority.values()) {
            List<Target> left = new ArrayList<>(group);
            while (!left.isEmpty()) {
                int total = left.stream().mapToInt(Target::weight).sum();
                int pick = random.nextInt(total);
                for (int i = 0; i < left.size(); i++) {
                    pick -= left.get(i).weight();
                    if (pick < 0) {
                        ordered.add(left.remove(i));
                        break;
                    }
                }
            }
        }
        return ordered;
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
