package dev.switchboard.adapter.slack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.json.Json;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent view's events, read from their raw JSON (Bolt for Java has no model for the newer ones):
 * {@code app_home_opened} with tab {@code messages} or {@code assistant_thread_started} open the view;
 * {@code app_context_changed} or {@code assistant_thread_context_changed} say which channel the user looks at. Every
 * id is checked against its shape; anything malformed or out of bounds is dropped with a debug line.
 */
final class SlackAgentEvents {

    private static final Logger log = LoggerFactory.getLogger(SlackAgent.class);
    private static final Pattern USER_ID = Pattern.compile("[UW][A-Z0-9]{1,30}");
    private static final Pattern DM_ID = Pattern.compile("D[A-Z0-9]{1,30}");
    private static final Pattern CHANNEL_ID = Pattern.compile("[CG][A-Z0-9]{1,30}");
    private static final Pattern TEAM_ID = Pattern.compile("[TE][A-Z0-9]{1,30}");
    private static final Pattern TS = Pattern.compile("\\d{6,12}\\.\\d{1,9}");
    private static final String CHANNEL_ENTITY = "slack#/types/channel_id";

    /** An agent-view event, as far as the agent cares. */
    sealed interface Event permits Opened, Looking { }

    /**
     * The view opened in {@code dm}.
     *
     * @param threadTs the assistant thread (null: the agent messaging experience)
     * @param seen the channel the event says the user looks at, or null
     */
    record Opened(String team, String user, String dm, String threadTs, String seen) implements Event { }

    /** The user looks at {@code channel} now (null: at none). */
    record Looking(String team, String user, String channel) implements Event { }

    private SlackAgentEvents() {
    }

    /** Whether Bolt's event {@code type} is one of the agent view's. */
    static boolean isAgentEvent(String type) {
        return "app_context_changed".equals(type) || "assistant_thread_started".equals(type)
                || "assistant_thread_context_changed".equals(type) || "app_home_opened".equals(type);
    }

    /**
     * One agent-view event from its raw JSON.
     *
     * @param botTeam the team of an event that names none
     * @return the event, or empty when it is malformed, out of bounds or of no interest
     */
    static Optional<Event> parse(String body, String botTeam) {
        JsonNode payload;
        try {
            payload = Json.plain().readTree(body);
        } catch (java.io.IOException | RuntimeException e) {
            log.debug("slack: an agent-view event that is not JSON was ignored");
            return Optional.empty();
        }
        JsonNode event = payload.path("event");
        String payloadTeam = id(payload, "team_id", TEAM_ID);
        String team = payloadTeam == null ? botTeam : payloadTeam;
        switch (event.path("type").asText("")) {
            case "app_home_opened" -> {
                String user = id(event, "user", USER_ID);
                String dm = id(event, "channel", DM_ID);
                if ("messages".equals(event.path("tab").asText()) && user != null && dm != null) {
                    String seen = channelEntity(event.path("context"));
                    return Optional.of(new Opened(team, user, dm, null, seen));
                }
            }
            case "app_context_changed" -> {
                String user = id(event, "user", USER_ID);
                if (user != null) {
                    return Optional.of(new Looking(team, user, channelEntity(event.path("context"))));
                }
            }
            case "assistant_thread_started", "assistant_thread_context_changed" -> {
                JsonNode thread = event.path("assistant_thread");
                String user = id(thread, "user_id", USER_ID);
                String dm = id(thread, "channel_id", DM_ID);
                String threadTs = id(thread, "thread_ts", TS);
                if (user == null || dm == null || threadTs == null) {
                    log.debug("slack: an assistant thread event without a user, channel or thread was ignored");
                    return Optional.empty();
                }
                String seen = id(thread.path("context"), "channel_id", CHANNEL_ID);
                return Optional.of("assistant_thread_started".equals(event.path("type").asText())
                        ? new Opened(team, user, dm, threadTs, seen) : new Looking(team, user, seen));
            }
            default -> { }
        }
        return Optional.empty();
    }

    /** The first channel entity of an {@code app_context_changed}/{@code app_home_opened} context, or null. */
    private static String channelEntity(JsonNode context) {
        JsonNode entities = context.path("entities");
        if (!entities.isArray()) {
            return null;
        }
        int looked = 0;
        for (JsonNode entity : entities) {
            if (++looked > 20) {
                break;
            }
            if (CHANNEL_ENTITY.equals(entity.path("type").asText())) {
                String id = id(entity, "value", CHANNEL_ID);
                if (id != null) {
                    return id;
                }
            }
        }
        return null;
    }

    private static String id(JsonNode node, String field, Pattern shape) {
        JsonNode v = node.path(field);
        return v.isTextual() && shape.matcher(v.asText()).matches() ? v.asText() : null;
    }
}
