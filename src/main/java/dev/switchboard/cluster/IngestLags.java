package dev.switchboard.cluster;

import dev.switchboard.answering.IngestLag;
import dev.switchboard.store.postgres.PostgresSignals;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node tells the others of how late it stores the messages reaching it, which sets how long their replies
 * in shared threads wait for a message to settle ({@link Leases#settle()}).
 *
 * <p>The heartbeat carries the figure; two things do not wait for it. A node that has only just started has not
 * shown its lag yet, and a cold process stores its first messages slowly: until it is {@linkplain Warmth warm} it
 * owns to {@link Warmth#coldLag} at least, and it says so to the others as it joins. And when a message is stored
 * later than the figure last told, the new figure goes out at once, not a beat later. Thread-safe.
 */
final class IngestLags {

    private static final Logger log = LoggerFactory.getLogger(IngestLags.class);

    /** The topic of a node's ingest lag in milliseconds, sent as it joins and when it grows. */
    static final String TOPIC = "ingest-lag";
    /** A lag this much over the one last told is told at once. */
    static final long TELL_OVER_MILLIS = 50;

    /**
     * When a starting node counts as warm: once it has stored {@code stores} messages (its lag is measured then) or
     * has been up {@code after}; until then its lag is {@code coldLag} at least.
     */
    record Warmth(Duration coldLag, int stores, Duration after) {
        static final Warmth DEFAULT = new Warmth(Duration.ofSeconds(1), 5, Duration.ofSeconds(20));
        /** Warm from the start: the lag is what is measured. */
        static final Warmth NONE = new Warmth(Duration.ZERO, 0, Duration.ZERO);
    }

    private final IngestLag measured;
    private final Warmth warmth;
    private final LongSupplier nanos;
    private final long bornNanos;
    private final PostgresSignals signals;
    private final Executor sender;
    /** The figure the others last heard from this node, by beat or by signal. */
    private volatile long toldMillis = -1;

    /**
     * @param signals where the figure goes out between beats; null: only with the beats
     * @param sender where a signal is sent from (never the storing thread, which holds its thread's lock)
     */
    IngestLags(IngestLag measured, Warmth warmth, LongSupplier nanos, PostgresSignals signals, Executor sender) {
        this.measured = measured;
        this.warmth = warmth;
        this.nanos = nanos;
        this.bornNanos = nanos.getAsLong();
        this.signals = signals;
        this.sender = sender;
    }

    /** This node's lag as it owns to it now: the measured one, and while cold at least the cold lag. */
    Duration own() {
        Duration lag = measured.recent();
        return cold() && lag.compareTo(warmth.coldLag()) < 0 ? warmth.coldLag() : lag;
    }

    private boolean cold() {
        return measured.stored() < warmth.stores() && nanos.getAsLong() - bornNanos < warmth.after().toNanos();
    }

    /**
     * Hears the others' figures (raising {@code leases}' slowest until the next beat reads the rows), tells them this
     * node's own, and from now on tells them each rise.
     */
    void join(Leases leases, String self) {
        if (signals == null) {
            return;
        }
        signals.subscribe(TOPIC, new PostgresSignals.Listener() {
            @Override
            public void signalled(PostgresSignals.Signal signal) {
                if (signal.sender().equals(self)) {
                    return; // its own lag counts as it is, not as it was told
                }
                try {
                    leases.raiseSlowest(Duration.ofMillis(Long.parseLong(signal.payload())));
                } catch (NumberFormatException e) {
                    log.debug("cluster: ignored an ingest lag that is not a number");
                }
            }
        });
        tell(own().toMillis());
        measured.watch(this::noted);
    }

    /** A beat wrote {@code lag} into this node's row. */
    void beaten(Duration lag) {
        toldMillis = lag.toMillis();
    }

    private void noted(Duration lag) {
        long millis = lag.toMillis();
        if (millis > toldMillis + TELL_OVER_MILLIS) {
            toldMillis = millis;
            try {
                sender.execute(() -> tell(millis));
            } catch (RejectedExecutionException e) {
                // stopping: the others stop counting this node soon
            }
        }
    }

    private void tell(long millis) {
        toldMillis = Math.max(toldMillis, millis);
        try {
            signals.send(TOPIC, Long.toString(millis));
        } catch (RuntimeException e) {
            log.debug("cluster: could not tell the others this node's ingest lag ({}); the next beat does",
                    e.toString());
        }
    }
}
