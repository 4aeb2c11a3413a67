package dev.switchboard.routing;

import dev.switchboard.conversation.ConversationKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Which tools replies may call where, and the limits of the tool loop. Immutable.
 *
 * @param routeTools per route name, the tools its replies may call ({@code server/*}, {@code server/tool})
 * @param places per workspace or channel, tools that replace the route's (a channel's win over its workspace's)
 * @param maxSteps model turns with tool calls per reply; the next one is asked to answer with what it has
 * @param maxResultChars a tool result is cut to this many characters before the model reads it
 * @param replyDeadline the whole reply, tools included: past it no more tools run
 * @param approvalTimeout how long a {@code confirm: true} tool waits for the user; then it counts as declined
 */
public record ToolOptions(Map<String, List<String>> routeTools, List<Place> places, int maxSteps, int maxResultChars,
                          Duration replyDeadline, Duration approvalTimeout) {

    /** No tools anywhere. */
    public static final ToolOptions NONE = new ToolOptions(Map.of(), List.of(), 8, 20_000, Duration.ofMinutes(5),
            Duration.ofMinutes(2));

    public ToolOptions {
        routeTools = Map.copyOf(routeTools);
        places = List.copyOf(places);
        if (maxSteps < 1 || maxResultChars < 1) {
            throw new IllegalArgumentException("maxSteps and maxResultChars must be positive");
        }
    }

    /** Tools for one place; {@code channel} empty applies to the whole workspace or guild. */
    public record Place(String platform, String workspace, String channel, List<String> tools) {
        public Place {
            tools = List.copyOf(tools);
        }
    }

    /** The tool patterns a reply in {@code key}'s channel, answered by {@code route}, may use; empty: none. */
    List<String> allowed(ConversationKey key, String route) {
        List<String> workspace = null;
        for (Place p : places) {
            if (p.platform().equals(key.platform()) && p.workspace().equals(key.workspace())) {
                if (p.channel().equals(key.channel())) {
                    return p.tools();
                }
                if (p.channel().isEmpty()) {
                    workspace = p.tools();
                }
            }
        }
        if (workspace != null) {
            return workspace;
        }
        return route == null ? List.of() : routeTools.getOrDefault(route, List.of());
    }
}
