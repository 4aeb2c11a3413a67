package dev.switchboard.cluster;

import dev.switchboard.answering.Conversations;
import dev.switchboard.store.postgres.PostgresCluster;
import dev.switchboard.store.postgres.PostgresLeases;
import dev.switchboard.store.postgres.PostgresSignals;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of several answering as one bot. Every third of the lease it beats: its row in {@code cluster_node} with
 * its load and what it serves, and the renewal of the thread leases it holds. Every {@link #sweepEvery} it runs one
 * shared poll: the stored messages without an answer in threads no other live node holds (another node stored them
 * for a thread this one held, or their node died and its leases lapsed) go to the adapters' leftover path, which
 * continues a cut reply in the messages its node had posted. Thread-safe; start once, close once.
 */
public final class ClusterNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

    /** Messages older than this are not taken over: the adapters' restart path looks back as far. */
    static final Duration LOOK_BACK = Duration.ofHours(1);

    private final PostgresCluster rows;
    private final PostgresSignals signals;
    private final Conversations<?> conversations;
    private final ScheduledExecutorService scheduler;
    private final Supplier<String> serves;
    private final Instant startedAt;
    private final Leases leases;
    private final IngestLags lags;
    private final Duration sweepEvery;
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final AtomicBoolean sweepAgain = new AtomicBoolean();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private volatile boolean stopped;
    private volatile boolean handingOver;

    /**
     * @param scheduler runs the beats and the polls; two threads, so a slow poll never delays a beat; not closed here
     * @param serves what this node serves, as operators read it ("slack, discord")
     */
    public ClusterNode(PostgresCluster rows, Conversations<?> conversations, ScheduledExecutorService scheduler,
                       Clock clock, Supplier<String> serves) {
        this(rows, null, conversations, scheduler, clock, serves);
    }

    /**
     * @param signals how this node hears at once of a message another node stored in a thread it holds, and tells
     *     the holder of one it stored; null: the shared poll finds them
     */
    public ClusterNode(PostgresCluster rows, PostgresSignals signals, Conversations<?> conversations,
                       ScheduledExecutorService scheduler, Clock clock, Supplier<String> serves) {
        this(rows, signals, conversations, scheduler, clock, serves, IngestLags.Warmth.DEFAULT);
    }

    /** @param warmth when this node, started cold, owns to its measured ingest lag */
    ClusterNode(PostgresCluster rows, PostgresSignals signals, Conversations<?> conversations,
                ScheduledExecutorService scheduler, Clock clock, Supplier<String> serves, IngestLags.Warmth warmth) {
        this.rows = rows;
        this.signals = signals;
        this.conversations = conversations;
        this.scheduler = scheduler;
        this.serves = serves;
        this.startedAt = clock.instant();
        this.lags = new IngestLags(conversations.ingest(), warmth, System::nanoTime, signals, scheduler);
        this.leases = new Leases(rows, signals, this::sweepSoon, lags::own);
        Duration third = rows.lease().dividedBy(3);
        this.sweepEvery = third.compareTo(Duration.ofSeconds(1)) < 0 ? third : Duration.ofSeconds(1);
    }

    /** The default node id: the host name and the process id. */
    public static String defaultId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    /** How this node signals the others and hears them; one listening connection per node, shared by its parts. */
    public PostgresSignals signals() {
        return signals;
    }

    public String nodeId() {
        return rows.nodeId();
    }

    /** Joins: the first beat now (a failure here stops the start), then beats and polls on the scheduler. */
    public ClusterNode start() {
        conversations.leaseWith(leases);
        if (signals != null) {
            signals.subscribe(Leases.WAITING + rows.nodeId(), new PostgresSignals.Listener() {
                @Override
                public void signalled(PostgresSignals.Signal signal) {
                    waiting(signal.payload());
                }

                @Override
                public void missed() {
                    sweepSoon();
                }
            });
        }
        beat();
        lags.join(leases, rows.nodeId());
        long beatMillis = Math.max(1, rows.lease().dividedBy(3).toMillis());
        synchronized (tasks) {
            tasks.add(scheduler.scheduleWithFixedDelay(this::beatQuietly, beatMillis, beatMillis,
                    TimeUnit.MILLISECONDS));
            tasks.add(scheduler.scheduleWithFixedDelay(this::sweep, 0, sweepEvery.toMillis(),
                    TimeUnit.MILLISECONDS));
        }
        log.info("cluster: node {} joined; lease {} ms", rows.nodeId(), rows.lease().toMillis());
        return this;
    }

    /** The nodes as their heartbeats show them, this one included. */
    public List<PostgresCluster.Node> nodes() {
        return rows.nodes();
    }

    /** How long a reply in a shared thread waits for its message to settle now (see {@link Leases#settle()}). */
    public Duration settle() {
        return leases.settle();
    }

    /** Threads this node holds the lease of now. */
    public int threadsHeld() {
        return leases.count();
    }

    private void beat() {
        long started = System.nanoTime();
        var holding = leases.holding();
        Duration lag = lags.own();
        PostgresCluster.Beat beat = rows.beat(startedAt, conversations.inProgress(), lag, serves.get(),
                holding.values().stream().map(PostgresLeases.Granted::conversationId).toList());
        lags.beaten(lag);
        leases.slowestIngest(beat.slowestIngest());
        leases.beaten(started, holding, beat.renewed());
    }

    /** Another node stored a message in a thread this one holds: queue it now, not at the next poll. */
    private void waiting(String payload) {
        if (stopped) {
            return;
        }
        long conversationId;
        try {
            conversationId = Long.parseLong(payload);
        } catch (NumberFormatException e) {
            log.debug("cluster: ignored a signal that names no thread");
            return;
        }
        scheduler.execute(() -> {
            try {
                leases.thread(conversationId).ifPresentOrElse(conversations::resumeHeld, this::sweep);
            } catch (RuntimeException e) {
                log.warn("cluster: could not take up a message another node stored ({}); the poll will",
                        e.toString());
            }
        });
    }

    private void beatQuietly() {
        try {
            beat();
        } catch (RuntimeException e) {
            log.warn("cluster: heartbeat of node {} failed ({}); trying again in a third of the lease",
                    rows.nodeId(), e.toString());
        }
    }

    private void sweepSoon() {
        if (!stopped) {
            scheduler.execute(this::sweep);
        }
    }

    /** One shared poll; a poll asked for while one runs runs again right after it. */
    private void sweep() {
        if (handingOver) {
            return;
        }
        if (!sweeping.compareAndSet(false, true)) {
            sweepAgain.set(true);
            return;
        }
        try {
            do {
                sweepAgain.set(false);
                int handed = conversations.resumeUnheld(LOOK_BACK);
                if (handed > 0) {
                    log.info("cluster: node {} took up {} unanswered message(s) no live node was answering",
                            rows.nodeId(), handed);
                }
            } while (sweepAgain.get() && !stopped);
        } catch (RuntimeException e) {
            log.warn("cluster: the poll for unanswered messages failed ({}); trying again shortly", e.toString());
        } finally {
            sweeping.set(false);
        }
    }

    /**
     * The node is stopping: it keeps beating (its leases stay renewed while its replies drain) but takes no more work
     * from the shared poll, so nothing left by the others lands on a node that is leaving.
     */
    public void handOver() {
        handingOver = true;
    }

    /**
     * Stops beating and polling without giving anything up, as a node that died would: its leases lapse after the
     * lease length and other nodes take its threads over.
     */
    void stopBeating() {
        stopped = true;
        leases.stop();
        synchronized (tasks) {
            tasks.forEach(t -> t.cancel(false));
            tasks.clear();
        }
    }

    /**
     * Stops beating and polling and leaves: the leases of the replies that drained were given up as they ended, and
     * any still held (a reply cut at the end of the drain) go now, so the other nodes take up what this one left
     * queued at their next poll. Close after the use case has drained.
     */
    @Override
    public void close() {
        stopBeating();
        try {
            rows.leave();
            log.info("cluster: node {} left; its threads are the other nodes' now", rows.nodeId());
        } catch (RuntimeException e) {
            log.warn("cluster: node {} could not leave cleanly ({}); its leases lapse after {} ms", rows.nodeId(),
                    e.toString(), rows.lease().toMillis());
        }
    }
}
