package dev.switchboard.adapter.discord;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A Discord REST request as its rate limits see it: the route ({@code POST channels/{id}/messages}), the top-level
 * resource its limits are counted on (the channel, guild, webhook or interaction in its path, as Discord's "major
 * parameter"), and whether it is bound to the bot's global limit (interaction endpoints are not).
 *
 * @param template the method and the path below the API version, ids and tokens replaced
 * @param resource the top-level resource ({@code channels/123}), or "" when the path names none
 * @param global whether the request spends from the global limit
 */
record DiscordRoute(String template, String resource, boolean global) {

    private static final Pattern ID = Pattern.compile("\\d{5,}");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_.-]{30,}");
    private static final List<String> TOP_LEVEL = List.of("channels", "guilds", "webhooks", "interactions");

    /** The requests that make a reply's first visible sign: a thread opened, a message posted. */
    private static final java.util.Set<String> OPENING = java.util.Set.of("POST channels/{id}/messages",
            "POST channels/{id}/messages/{id}/threads", "POST channels/{id}/threads");

    /** Whether the request opens something new (a thread, a message) rather than changing what is there. */
    boolean opens() {
        return OPENING.contains(template);
    }

    /** Whether the request posts a message: of the requests that open something, the one a user sees words in. */
    boolean posts() {
        return template.equals("POST channels/{id}/messages");
    }

    /** The key of the route's own bucket on its resource. */
    String key() {
        return template + " @" + resource;
    }

    /**
     * Reads a request: its method and the URL path's segments, of which the first {@code prefix} are the REST base
     * URL's ({@code api/v10}, or a proxy's path).
     */
    static DiscordRoute of(String method, List<String> segments, int prefix) {
        List<String> path = segments.subList(Math.min(prefix, segments.size()), segments.size());
        StringBuilder template = new StringBuilder(method);
        for (int i = 0; i < path.size(); i++) {
            String s = path.get(i);
            template.append(i == 0 ? " " : "/")
                    .append(ID.matcher(s).matches() ? "{id}" : TOKEN.matcher(s).matches() ? "{token}" : s);
        }
        String first = path.isEmpty() ? "" : path.getFirst();
        String resource = "";
        if (TOP_LEVEL.contains(first) && path.size() > 1) {
            boolean withToken = (first.equals("webhooks") || first.equals("interactions")) && path.size() > 2;
            resource = String.join("/", path.subList(0, withToken ? 3 : 2));
        }
        boolean interaction = first.equals("interactions") || first.equals("webhooks");
        return new DiscordRoute(template.toString(), resource, !interaction);
    }
}
