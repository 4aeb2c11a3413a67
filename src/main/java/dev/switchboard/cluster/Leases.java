package dev.switchboard.cluster;

import dev.switchboard.answering.ThreadLeases;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.LeaseToken;
import dev.switchboard.conversation.Turn;
import dev.switchboard.store.postgres.PostgresCluster;
import dev.switchboard.store.postgres.PostgresLeases;
import dev.switchboard.store.postgres.PostgresSignals;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's thread leases in the database, and the ones it holds, which its heartbeat renews. A release that finds
 * a message left in the thread (another node stored it while this one held the lease) asks for a sweep at once; a
 * message this node stores in a thread another node holds is signalled to that node, so it does not wait for a poll.
 *
 * <p>Self-fencing: once the heartbeat has not succeeded for most of the lease (a long pause, the database out of
 * reach), the leases may have passed to other nodes. Replies then neither start nor write until a heartbeat succeeds
 * again and shows which leases are still this node's. Thread-safe.
 */
final class Leases implements ThreadLeases {

    private static final Logger log = LoggerFactory.getLogger(Leases.class);

    /** The topic on which a node hears that another stored a message in a thread it holds; the node id follows. */
    static final String WAITING = "thread-waiting.";

    /**
     * How long after a message was written its reply waits at least: messages written ms apart reach different nodes,
     * and the other node's store and signal take tens of ms, so the earlier one is stored by then.
     */
    static final java.time.Duration SETTLE = java.time.Duration.ofMillis(250);
    /** Added to the slowest node's ingest lag: its store and signal come after the lag was measured. */
    static final java.time.Duration SETTLE_MARGIN = java.time.Duration.ofMillis(100);
    /** The longest a reply waits for its message to settle, however slow a node is. */
    static final java.time.Duration SETTLE_MOST = java.time.Duration.ofSeconds(2);

    private final PostgresCluster rows;
    private final PostgresLeases grants;
    private final PostgresSignals signals;
    private final Runnable sweepSoon;
    private final java.util.function.Supplier<java.time.Duration> localIngest;
    /** The slowest live node's ingest lag, as the last heartbeat read it. */
    private volatile java.time.Duration slowestIngest = java.time.Duration.ZERO;
    /** The largest ingest lag a node told between beats, and until when it counts; guarded by this. */
    private java.time.Duration toldIngest = java.time.Duration.ZERO;
    private long toldUntilNanos = System.nanoTime();
    private final Map<ConversationKey, PostgresLeases.Granted> held = new ConcurrentHashMap<>();
    /** Since when each of {@link #held} has been this node's without a break (its epoch unchanged). */
    private final Map<ConversationKey, java.time.Instant> heldSince = new ConcurrentHashMap<>();
    private final long fenceAfterNanos;
    private volatile long lastBeatNanos;
    private volatile boolean beaten;
    private volatile boolean stopped;
    /** Completes at the next successful heartbeat (or the stop); replaced then. */
    private volatile CompletableFuture<Void> nextBeat = new CompletableFuture<>();

    /**
     * @param signals where to tell a thread's holder of a message stored for it; null: its poll finds it
     * @param localIngest this node's own ingest lag now (between heartbeats it may have grown)
     */
    Leases(PostgresCluster rows, PostgresSignals signals, Runnable sweepSoon,
           java.util.function.Supplier<java.time.Duration> localIngest) {
        this.rows = rows;
        this.grants = rows.leases();
        this.signals = signals;
        this.sweepSoon = sweepSoon;
        this.localIngest = localIngest;
        // A tenth of the lease to spare: the database counts the lease from a moment after the beat started here.
        this.fenceAfterNanos = rows.lease().minus(rows.lease().dividedBy(10)).toNanos();
    }

    @Override
    public boolean acquire(ConversationKey key) {
        PostgresLeases.Grant grant = grants.acquire(key);
        if (grant instanceof PostgresLeases.Granted granted) {
            PostgresLeases.Granted before = held.put(key, granted);
            if (before == null || before.epoch() != granted.epoch()) {
                heldSince.put(key, java.time.Instant.now());
            }
            return true;
        }
        held.remove(key);
        heldSince.remove(key);
        if (grant instanceof PostgresLeases.HeldElsewhere elsewhere) {
            signal(elsewhere);
        }
        return false;
    }

    private void signal(PostgresLeases.HeldElsewhere elsewhere) {
        if (signals == null || elsewhere.holder().equals(rows.nodeId())) {
            return;
        }
        try {
            signals.send(WAITING + elsewhere.holder(), Long.toString(elsewhere.conversationId()));
        } catch (RuntimeException e) {
            log.debug("cluster: could not signal node {} ({}); its poll finds the message", elsewhere.holder(),
                    e.toString());
        }
    }

    @Override
    public void release(ConversationKey key) {
        PostgresLeases.Granted granted = held.remove(key);
        heldSince.remove(key);
        if (granted != null && rows.release(granted.conversationId())) {
            sweepSoon.run();
        }
    }

    @Override
    public Optional<java.time.Instant> heldSince(ConversationKey key) {
        return held.containsKey(key) ? Optional.ofNullable(heldSince.get(key)) : Optional.empty();
    }

    @Override
    public Set<ConversationKey> heldElsewhere() {
        return rows.heldElsewhere();
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public Optional<Held> confirm(ConversationKey key) {
        if (!awaitBeat() || !acquire(key)) {
            return Optional.empty();
        }
        long epoch = held.get(key).epoch();
        return Optional.of(new Held(new LeaseToken(rows.nodeId(), epoch), () -> mayWrite(key, epoch)));
    }

    /**
     * Long enough for a message written just before this one to be stored, whichever node it reached: the slowest
     * ingest lag of the live nodes (this one's own as it is now) and a margin, between {@link #SETTLE} and
     * {@link #SETTLE_MOST}.
     */
    @Override
    public java.time.Duration settle() {
        java.time.Duration local = localIngest.get();
        java.time.Duration slowest = slowestIngest;
        return settleFor(local.compareTo(slowest) > 0 ? local : slowest);
    }

    static java.time.Duration settleFor(java.time.Duration slowestIngest) {
        java.time.Duration wanted = slowestIngest.plus(SETTLE_MARGIN);
        if (wanted.compareTo(SETTLE) < 0) {
            return SETTLE;
        }
        return wanted.compareTo(SETTLE_MOST) > 0 ? SETTLE_MOST : wanted;
    }

    /** The heartbeat read the live nodes' ingest lags; a lag told since counts until its node's row shows it. */
    synchronized void slowestIngest(java.time.Duration slowest) {
        boolean told = System.nanoTime() - toldUntilNanos < 0;
        slowestIngest = told && toldIngest.compareTo(slowest) > 0 ? toldIngest : slowest;
    }

    /**
     * A node told its ingest lag between beats: the slowest is at least that for a lease length, by when its row
     * carries it (a beat that read the rows just before it wrote cannot lower it).
     */
    synchronized void raiseSlowest(java.time.Duration lag) {
        long now = System.nanoTime();
        if (now - toldUntilNanos >= 0 || lag.compareTo(toldIngest) > 0) {
            toldIngest = lag;
            toldUntilNanos = now + rows.lease().toNanos();
        }
        if (lag.compareTo(slowestIngest) > 0) {
            slowestIngest = lag;
        }
    }

    @Override
    public List<Turn> unanswered(ConversationKey key) {
        return grants.unanswered(key);
    }

    /** Whether a reply under {@code epoch} may write now; while fenced, once the next heartbeat tells. */
    private CompletionStage<Boolean> mayWrite(ConversationKey key, long epoch) {
        CompletableFuture<Void> beat = nextBeat;
        if (!fenced()) {
            return CompletableFuture.completedFuture(holds(key, epoch));
        }
        return beat.thenApply(v -> !stopped && holds(key, epoch));
    }

    private boolean holds(ConversationKey key, long epoch) {
        PostgresLeases.Granted granted = held.get(key);
        return granted != null && granted.epoch() == epoch;
    }

    /** Whether the heartbeat has not succeeded for most of the lease: the leases may be other nodes' now. */
    boolean fenced() {
        return !beaten || System.nanoTime() - lastBeatNanos > fenceAfterNanos;
    }

    /** Waits while fenced for a heartbeat to succeed. @return false when the node stopped meanwhile */
    private boolean awaitBeat() {
        while (fenced() && !stopped) {
            try {
                nextBeat.get(fenceAfterNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException | TimeoutException e) {
                // not yet: look again
            }
        }
        return !stopped;
    }

    /**
     * A heartbeat that started at {@code startedNanos} succeeded: of the leases it renewed ({@code asked}, as
     * {@link #holding} gave them), those not {@code renewed} passed to other nodes while this one stalled, and are no
     * longer this node's (unless taken again since, under a new epoch).
     */
    void beaten(long startedNanos, Map<ConversationKey, PostgresLeases.Granted> asked, Set<Long> renewed) {
        asked.forEach((key, granted) -> {
            if (!renewed.contains(granted.conversationId()) && held.remove(key, granted)) {
                heldSince.remove(key);
                log.warn("cluster: node {} lost the lease on {} while its heartbeat stalled; another node answers"
                        + " it now", rows.nodeId(), key);
            }
        });
        lastBeatNanos = startedNanos;
        beaten = true;
        CompletableFuture<Void> done = nextBeat;
        nextBeat = new CompletableFuture<>();
        done.complete(null);
    }

    /** No more heartbeats: nothing waits for one. */
    void stop() {
        stopped = true;
        nextBeat.complete(null);
    }

    /** The thread this node holds as {@code conversationId}, if it does. */
    Optional<ConversationKey> thread(long conversationId) {
        return held.entrySet().stream().filter(e -> e.getValue().conversationId() == conversationId)
                .map(Map.Entry::getKey).findFirst();
    }

    /** The leases this node holds now, for the heartbeat to renew. */
    Map<ConversationKey, PostgresLeases.Granted> holding() {
        return Map.copyOf(held);
    }

    int count() {
        return held.size();
    }

}
