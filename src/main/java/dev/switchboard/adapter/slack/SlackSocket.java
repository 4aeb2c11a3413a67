package dev.switchboard.adapter.slack;

import com.slack.api.bolt.App;
import com.slack.api.bolt.socket_mode.SocketModeApp;
import com.slack.api.socket_mode.SocketModeClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Socket Mode: one WebSocket to Slack, reconnected as soon as it closes, and whether it is open now. Thread-safe. */
final class SlackSocket implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SlackSocket.class);

    private final SocketModeApp socket;
    private volatile boolean open;

    /**
     * Connects with the app-level token.
     *
     * @throws IllegalStateException with a fix when the connection cannot be made
     */
    SlackSocket(String appToken, App app) {
        try {
            // Envelopes are handled one at a time, in the order Slack sent them (Bolt without a concurrency runs
            // them on the SDK's one message-processor thread). Handling them at once was tried: it lifts
            // throughput, but a thread's messages can then be taken out of order, and an earlier message handled
            // after a later one joined the bot to its thread was answered as a follow-up. Doing it safely needs
            // envelopes ordered per thread; until then, order wins.
            socket = new SocketModeApp(appToken, app, SocketModeClient.Backend.Tyrus);
            socket.startAsync();
            SocketModeClient client = socket.getClient();
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
