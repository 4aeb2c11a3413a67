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

    static String key(Request<?> request) {
        return switch (request) {
            case EventRequest e -> eventKey(e.getRequestBodyAsString());
            case SlashCommandRequest c -> c.getPayload() == null ? NO_CHANNEL
                    // Commands start threads of their own: one user's commands in a channel stay in order.
                    : c.getPayload().getChannelId() + " /" + c.getPayload().getUserId();
            case BlockActionRequest a -> actionKey(a.getPayload());
            default -> NO_CHANNEL;
        };
    }

    static String eventKey(String body) {
        JsonNode event;
        try {
            event = Json.plain().readTree(body).path("event");
        } catch (java.io.IOException | RuntimeException e) {
            return NO_CHANNEL;
        }
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
