package dev.switchboard.adapter.slack;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.slack.api.bolt.App;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.socket_mode.SocketModeApp;
import com.slack.api.bolt.socket_mode.request.SocketModeRequest;
import com.slack.api.bolt.socket_mode.request.SocketModeRequestParser;
import com.slack.api.socket_mode.SocketModeClient;
import com.slack.api.socket_mode.response.AckResponse;
import com.slack.api.util.json.GsonFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Socket Mode: one WebSocket to Slack, reconnected as soon as it closes, and whether it is open now. Thread-safe. */
final class SlackSocket implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SlackSocket.class);

    private final SocketModeApp socket;
    private volatile boolean open;

    /**
     * Connects with the app-level token; envelopes go through {@code dispatch}.
     *
     * @throws IllegalStateException with a fix when the connection cannot be made
     */
    SlackSocket(String appToken, App app, SlackDispatch dispatch) {
        try {
            // The SDK reads envelopes on one thread, in the order Slack sent them. They are handed from there to the
            // dispatcher, which keeps that order within a thread and runs different threads at once; Bolt's own
            // concurrency (a pool taking envelopes as they come) would lose the order within a thread, and an earlier
            // message handled after a later one joined the bot to its thread was answered as a follow-up.
            SocketModeClient client = app.slack().socketMode(appToken, SocketModeClient.Backend.Tyrus);
            SocketModeRequestParser parser = new SocketModeRequestParser(app.config());
            Gson gson = GsonFactory.createSnakeCase(app.slack().getConfig());
            client.addWebSocketMessageListener(message -> dispatch(message, parser, app, client, gson, dispatch));
            socket = new SocketModeApp(() -> client, app);
            socket.startAsync();
            // Open or not, from what the socket says: any message means open (a hello follows each connect);
            // a close means not, except the client's own closing of a session it already replaced.
            client.addWebSocketMessageListener(message -> open = true);
            client.addWebSocketCloseListener((code, reason) -> {
                if (reason == null || !reason.endsWith(" did it")) {
                    open = false;
                }
            });
            // The first hello may have come before the listener: ask the socket once (the client does the
            // same on every open). A failed first connect is only logged by the client, so this tells.
            open = open || client.verifyConnection();
            // Reconnect as soon as the socket closes; otherwise only the session monitor notices, seconds later.
            client.setAutoReconnectOnCloseEnabled(true);
        } catch (Exception e) {
            throw new IllegalStateException("slack: Socket Mode could not connect (" + SlackApi.error(e)
                    + "); check SLACK_APP_TOKEN (an xapp-… token with connections:write)", e);
        }
    }

    /**
     * On the SDK's reading thread: keys the envelope and hands it on, in order. Bolt's parse, the handler and the
     * acknowledgement run on the dispatcher's thread for that key, so the reading thread keeps up with Slack.
     */
    private static void dispatch(String message, SocketModeRequestParser parser, App app, SocketModeClient client,
                                 Gson gson, SlackDispatch dispatch) {
        String key = SlackOrder.envelopeKey(message);
        if (key == null) {
            return; // hello, disconnect: the client's own business
        }
        dispatch.submit(key, () -> {
            SocketModeRequest request = parser.parse(message);
            if (request != null) {
                acknowledge(client, gson, request, run(app, request));
            }
            return request;
        }).exceptionally(e -> {
            // Not acknowledged: Slack delivers it again.
            log.warn("slack: an envelope was not handled ({}); Slack will deliver it again", SlackApi.error(e));
            return null;
        });
    }

    private static Response run(App app, SocketModeRequest request) {
        try {
            return app.run(request.getBoltRequest());
        } catch (Exception e) {
            throw new IllegalStateException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** As Bolt's SocketModeApp answers: the handler's body as the envelope's payload. */
    private static void acknowledge(SocketModeClient client, Gson gson, SocketModeRequest request, Response r) {
        String envelope = request.getEnvelope().getEnvelopeId();
        if (r.getStatusCode() != 200) {
            log.warn("slack: an envelope's handler answered {}", r.getStatusCode());
        }
        if (r.getBody() == null) {
            client.sendSocketModeResponse(new AckResponse(envelope));
            return;
        }
        Map<String, Object> ack = new LinkedHashMap<>();
        ack.put("envelope_id", envelope);
        ack.put("payload", r.getContentType() != null && r.getContentType().startsWith("application/json")
                ? gson.fromJson(r.getBody(), JsonElement.class) : Map.of("text", r.getBody()));
        client.sendSocketModeResponse(gson.toJson(ack));
    }

    boolean open() {
        return !socket.isClientStopped() && open;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (Exception e) {
            log.debug("slack: closing Socket Mode: {}", e.toString());
        }
    }
}
