package dev.switchboard.store.postgres;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signals between the nodes of one bot over PostgreSQL's {@code LISTEN}/{@code NOTIFY}: a node sends a short message
 * on a topic ("settings changed", "a 429 paused this budget", "a message waits in a thread you hold") and every node
 * listening gets it within milliseconds, itself included. A notification is delivered only to the connections
 * listening when its transaction commits, so a node that was disconnected may have missed some: after every
 * reconnection each listener's {@link Listener#missed()} runs, and listeners read the state they follow from the
 * database again. Signals therefore say that something changed; the database stays the truth.
 *
 * <p>One connection of its own, outside the pool, listens; a lost connection is opened again with backoff. Listeners
 * run on the listening thread and must return quickly. Thread-safe.
 */
public final class PostgresSignals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresSignals.class);

    /** The one PostgreSQL channel every node listens on; topics travel in the payload. */
    static final String CHANNEL = "switchboard_signals";
    /** How long one wait for notifications lasts; also how soon a close is noticed. */
    private static final int WAIT_MILLIS = 250;
    /** PostgreSQL refuses payloads of 8000 bytes or more; ours leave room for the topic and the sender. */
    static final int MAX_PAYLOAD_BYTES = 7000;

    /**
     * One signal as a listener gets it.
     *
     * @param topic what it is about, e.g. "settings"
     * @param sender the id of the node that sent it (this node's own signals come back too)
     * @param payload the topic's text; may be empty
     */
    public record Signal(String topic, String sender, String payload) {
    }

    /** Takes the signals of one topic. */
    public interface Listener {

        /** A signal arrived; runs on the listening thread, so hand slow work to another. */
        void signalled(Signal signal);

        /** The listening connection was (re)opened: signals sent meanwhile may be lost; read the state again. */
        default void missed() {
        }
    }

    private final Database database;
    private final String nodeId;
    private final Supplier<Connection> connect;
    private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection listening;

    /**
     * @param connect opens a new connection outside the pool, for listening
     */
    PostgresSignals(Database database, String nodeId, Supplier<Connection> connect) {
        if (nodeId.contains("\n")) {
            throw new IllegalArgumentException("a node id has no line breaks");
        }
        this.database = database;
        this.nodeId = nodeId;
        this.connect = connect;
        this.thread = Thread.ofPlatform().daemon().name("signals-" + nodeId).unstarted(this::listen);
    }

    /** Starts listening; returns at once (the first connection is opened on the listening thread). */
    public PostgresSignals start() {
        thread.start();
        return this;
    }

    /** Adds a listener for {@code topic}; it also hears the signals this node sends. */
    public void subscribe(String topic, Listener listener) {
        listeners.computeIfAbsent(check(topic), t -> new CopyOnWriteArrayList<>()).add(listener);
    }

    /**
     * Sends a signal to every listening node, this one included, when the call returns.
     *
     * @throws IllegalArgumentException if the payload is too long for a notification
     * @throws dev.switchboard.conversation.StoreException if the database cannot be reached
     */
    public void send(String topic, String payload) {
        String message = check(topic) + "\n" + nodeId + "\n" + payload;
        if (message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("a signal on " + topic + " is too long for a notification");
        }
        database.inTransaction(QueryKind.CLUSTER, "signalling the other nodes", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                ps.setString(1, CHANNEL);
                PgText.setText(ps, 2, message);
                ps.execute();
            }
            return null;
        });
    }

    private static String check(String topic) {
        if (topic.isEmpty() || topic.contains("\n")) {
            throw new IllegalArgumentException("a topic is one line of text");
        }
        return topic;
    }

    private void listen() {
        RetryPolicy<Object> reconnect = RetryPolicy.builder()
                .handle(SQLException.class, RuntimeException.class)
                .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(5))
                .withMaxRetries(-1)
                .abortOn(e -> closed)
                .onRetry(e -> log.warn("signals: listening for the other nodes failed ({}); connecting again",
                        e.getLastException().toString()))
                .build();
        try {
            Failsafe.with(reconnect).run(this::listenOnce);
        } catch (RuntimeException e) {
            if (!closed) {
                log.error("signals: stopped listening for the other nodes", e);
            }
        }
    }

    /** Opens a connection, listens until it fails or this closes; the failure is the retry policy's. */
    private void listenOnce() throws SQLException {
        if (closed) {
            return;
        }
        try (Connection c = connect.get()) {
            listening = c;
            try (Statement s = c.createStatement()) {
                s.execute("LISTEN " + CHANNEL);
            }
            listeners.values().forEach(list -> list.forEach(PostgresSignals::missedQuietly));
            PGConnection pg = c.unwrap(PGConnection.class);
            while (!closed) {
                PGNotification[] got = pg.getNotifications(WAIT_MILLIS);
                if (got != null) {
                    for (PGNotification n : got) {
                        deliver(n.getParameter());
                    }
                }
            }
        } catch (SQLException e) {
            if (!closed) {
                throw e;
            }
        } finally {
            listening = null;
        }
    }

    private static void missedQuietly(Listener listener) {
        try {
            listener.missed();
        } catch (RuntimeException e) {
            log.warn("signals: a listener failed to read the state again ({})", e.toString());
        }
    }

    private void deliver(String message) {
        String[] parts = message.split("\n", 3);
        if (parts.length < 3) {
            log.warn("signals: ignored a notification that is not a signal");
            return;
        }
        Signal signal = new Signal(parts[0], parts[1], parts[2]);
        for (Listener l : listeners.getOrDefault(signal.topic(), List.of())) {
            try {
                l.signalled(signal);
            } catch (RuntimeException e) {
                log.warn("signals: a listener of {} failed ({})", signal.topic(), e.toString());
            }
        }
    }

    /** Whether the listening connection is open now. */
    public boolean listening() {
        return listening != null;
    }

    /** Stops listening and closes the connection. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
