package dev.switchboard;

import dev.switchboard.live.SharedBudgets;
import dev.switchboard.store.postgres.PostgresCluster;
import dev.switchboard.store.postgres.PostgresSignals;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link SharedBudgets} in step with the other nodes: the nodes writing ({@link #spending}) counted
 * from the heartbeat rows at every beat and whenever a node signals that it joined or left, and 429s signalled both
 * ways. A 429 travels as the scope and the Retry-After left when it is sent; the receiver pauses for that long from
 * when it hears it, so the nodes' clocks need not agree (the signal's own delay, milliseconds, only lengthens it). A signal lost
 * while a node's listening connection was down is not heard again: the platform's next 429 is signalled anew.
 * Thread-safe.
 */
final class SharedLimits implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SharedLimits.class);

    /** A 429: "millis left\nscope". */
    static final String PAUSED = "budget-paused";
    /** A node joined or left: count the live nodes again. */
    static final String NODES = "nodes-changed";

    private final SharedBudgets shares;
    private final PostgresSignals signals;
    private final String nodeId;
    private final IntSupplier liveNodes;
    private final ScheduledExecutorService scheduler;
    private volatile ScheduledFuture<?> counting;
    private volatile boolean closed;

    /**
     * @param liveNodes counts the nodes that spend the shares, this one included (a database read; {@link #spending})
     * @param scheduler runs the counts and sends the signals, away from the live engine's lock and the listener
     */
    SharedLimits(SharedBudgets shares, PostgresSignals signals, String nodeId, IntSupplier liveNodes,
                 ScheduledExecutorService scheduler) {
        this.shares = shares;
        this.signals = signals;
        this.nodeId = nodeId;
        this.liveNodes = liveNodes;
        this.scheduler = scheduler;
    }

    /** Counts the nodes now, tells the others this one joined, and counts again every {@code every}. */
    SharedLimits start(Duration every) {
        signals.subscribe(PAUSED, new PostgresSignals.Listener() {
            @Override
            public void signalled(PostgresSignals.Signal signal) {
                if (!signal.sender().equals(nodeId)) {
                    pausedElsewhere(signal.payload());
                }
            }
        });
        signals.subscribe(NODES, new PostgresSignals.Listener() {
            @Override
            public void signalled(PostgresSignals.Signal signal) {
                countSoon();
            }

            @Override
            public void missed() {
                countSoon();
            }
        });
        shares.announceWith((scope, remaining) -> later(() -> signals.send(PAUSED, remaining.toMillis() + "\n" + scope),
                "a 429 of " + scope));
        count();
        later(() -> signals.send(NODES, "joined"), "this node joining");
        long millis = Math.max(1, every.toMillis());
        counting = scheduler.scheduleWithFixedDelay(this::countQuietly, millis, millis, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * How many nodes spend the shared limits now: this one, and every other live node that had replies waiting or
     * streaming at its last heartbeat. An idle node takes no share: the platform counts writes, not nodes, and a node
     * that gets every event (Slack hands them to one Socket Mode connection; a node draining while a restarted one
     * takes the new work) must not be held to a third of the allowance while the others write nothing. A node that
     * gets busy is counted by the others at its next beat; until then a 429 pauses the scope on every node.
     *
     * @param nodes the heartbeat rows, this node's included
     */
    static int spending(List<PostgresCluster.Node> nodes, String nodeId) {
        return 1 + (int) nodes.stream().filter(n -> n.alive() && n.load() > 0 && !n.nodeId().equals(nodeId)).count();
    }

    /** Each provider's concurrent streams, divided among the nodes; a provider's 429 stays the node's own. */
    static SharedBudgets.Shared streams(dev.switchboard.routing.Router router) {
        return new SharedBudgets.Shared() {
            @Override
            public void share(int nodes) {
                router.shareStreams(nodes);
            }

            @Override
            public void pausedElsewhere(Duration remaining) {
            }
        };
    }

    private void pausedElsewhere(String payload) {
        int cut = payload.indexOf('\n');
        try {
            shares.pausedElsewhere(payload.substring(cut + 1), Duration.ofMillis(Long.parseLong(payload.substring(0,
                    cut))));
        } catch (RuntimeException e) {
            log.warn("cluster: ignored a budget pause that could not be read ({})", e.toString());
        }
    }

    private void count() {
        int before = shares.nodes();
        int live = liveNodes.getAsInt();
        shares.nodes(live);
        if (live != before) {
            // At debug: nodes go busy and idle all day; each change would be a line.
            log.debug("cluster: {} node(s) writing; node {} now spends 1/{} of each limit shared per workspace or bot",
                    live, nodeId, Math.max(1, live));
        }
    }

    private void countQuietly() {
        if (closed) {
            return;
        }
        try {
            count();
        } catch (RuntimeException e) {
            log.warn("cluster: could not count the live nodes ({}); the budgets keep their shares", e.toString());
        }
    }

    private void countSoon() {
        executor().execute(this::countQuietly);
    }

    private void later(Runnable send, String what) {
        executor().execute(() -> {
            try {
                send.run();
            } catch (RuntimeException e) {
                log.warn("cluster: could not tell the other nodes of {} ({})", what, e.toString());
            }
        });
    }

    private Executor executor() {
        return command -> {
            try {
                scheduler.execute(command);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping: the other nodes count again at their next beat
            }
        };
    }

    /** Stops counting; tells the others this node is gone (call after its heartbeat row was removed). */
    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> task = counting;
        if (task != null) {
            task.cancel(false);
        }
        try {
            signals.send(NODES, "left");
        } catch (RuntimeException e) {
            log.warn("cluster: could not tell the other nodes that node {} left ({}); they see it at their next beat",
                    nodeId, e.toString());
        }
    }
}
