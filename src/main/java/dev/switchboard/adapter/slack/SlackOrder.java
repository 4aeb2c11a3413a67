package dev.switchboard.adapter.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.slack.api.app_backend.interactive_components.payload.BlockActionPayload;
import com.slack.api.bolt.request.Request;
import com.slack.api.bolt.request.builtin.BlockActionRequest;
import com.slack.api.bolt.request.builtin.EventRequest;
import com.slack.api.bolt.request.builtin.SlashCommandRequest;
import dev.switchboard.json.Json;

/**
 * The ordering key of a Slack request: requests with the same key are handled one at a time, in the order they came.
 * A message's key is its channel and thread, where a top-level message is the thread of its own ts, so a mention that
 * starts a thread and the replies under it share one key; unthreaded direct messages are one conversation and share
 * the channel's. Stateless.
 */
final class SlackOrder {

    /** Requests that name no channel (app home, shortcuts): in order among themselves. */
    static final String NO_CHANNEL = "-";

    private SlackOrder() {
    }

    /** The key of a request as Bolt parsed it (HTTP mode). */
    static String key(Request<?> request) {
        return switch (request) {
            case EventRequest e -> eventKey(e.getRequestBodyAsString());
            case SlashCommandRequest c -> c.getPayload() == null ? NO_CHANNEL
                    : commandKey(c.getPayload().getChannelId(), c.getPayload().getUserId());
            case BlockActionRequest a -> actionKey(a.getPayload());
            default -> NO_CHANNEL;
        };
    }

    /**
     * The key of a Socket Mode envelope from its JSON text, read once and lightly: envelopes are keyed one after the
     * other on the SDK's single reading thread, so Bolt's full parse is left to the dispatcher's threads.
     *
     * @return null for what is not a request (hello, disconnect): the client's own business
     */
    static String envelopeKey(String envelope) {
        JsonNode json;
        try {
            json = Json.plain().readTree(envelope);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
        JsonNode payload = json.path("payload");
        return switch (json.path("type").asText()) {
            case "events_api" -> eventKey(payload.path("event"));
            case "slash_commands" -> commandKey(text(payload, "channel_id"), text(payload, "user_id"));
            case "interactive" -> "block_actions".equals(text(payload, "type"))
                    ? containerKey(payload.path("container")) : NO_CHANNEL;
            default -> null;
        };
    }

    static String eventKey(String body) {
        try {
            return eventKey(Json.plain().readTree(body).path("event"));
        } catch (java.io.IOException | RuntimeException e) {
            return NO_CHANNEL;
        }
    }

    /** Commands start threads of their own: one user's commands in a channel stay in order. */
    private static String commandKey(String channel, String user) {
        return channel + " /" + user;
    }

    private static String containerKey(JsonNode container) {
        String channel = text(container, "channel_id");
        return channel == null ? NO_CHANNEL : of(channel, text(container, "thread_ts"), text(container, "message_ts"));
    }

    private static String eventKey(JsonNode event) {
        String channel = text(event, "channel");
        if (channel == null) {
            return NO_CHANNEL;
        }
        JsonNode about = event;
        if ("message_changed".equals(text(event, "subtype"))) {
            about = event.path("message");
        } else if ("message_deleted".equals(text(event, "subtype"))) {
            JsonNode previous = event.path("previous_message");
            return of(channel, text(previous, "thread_ts"), text(event, "deleted_ts"));
        }
        return of(channel, text(about, "thread_ts"), text(about, "ts"));
    }

    private static String actionKey(BlockActionPayload p) {
        if (p == null || p.getContainer() == null || p.getContainer().getChannelId() == null) {
            return NO_CHANNEL;
        }
        BlockActionPayload.Container c = p.getContainer();
        return of(c.getChannelId(), c.getThreadTs(), c.getMessageTs());
    }

    private static String of(String channel, String threadTs, String ts) {
        if (threadTs != null) {
            return channel + " " + threadTs;
        }
        // Unthreaded direct messages are one conversation (SlackPlaces.DM_THREAD), so one key.
        return channel + " " + (SlackPlaces.isDm(channel) ? SlackPlaces.DM_THREAD : ts == null ? NO_CHANNEL : ts);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }
}
