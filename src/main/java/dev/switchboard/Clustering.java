package dev.switchboard;

import dev.switchboard.answering.Conversations;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.cluster.IdentifyQueue;
import dev.switchboard.cluster.ShardRunner;
import dev.switchboard.cluster.ShardSpread;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.ops.Status;
import dev.switchboard.ops.StatusBoard;
import dev.switchboard.live.SharedBudgets;
import dev.switchboard.store.postgres.PostgresCluster;
import dev.switchboard.store.postgres.PostgresIdentifyTurns;
import dev.switchboard.store.postgres.PostgresSignals;
import dev.switchboard.store.postgres.PostgresShards;
import dev.switchboard.store.postgres.PostgresStorage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Makes this process one node of several when {@code cluster.enabled}: its heartbeat, leases and shared poll, and its
 * share of Discord's shards.
 */
final class Clustering {

    /**
     * Discord's 5 s between two IDENTIFYs of one bucket, and a margin: a turn is taken before the connection opens and
     * the IDENTIFY goes once it is open, which takes a little longer on one node than on another (the next turn is
     * also counted again from when the connection is ready).
     */
    private static final Duration IDENTIFY_SPACING = Duration.ofMillis(5_500);

    private Clustering() {
    }

    /**
     * Joins the cluster before any message is taken, and shows the nodes in the status.
     *
     * @param serves what this node serves, read at every heartbeat
     * @param closeLater takes what to close when the service stops
     * @param shares the budgets this node spends a share of, among the nodes writing
     */
    static ClusterNode join(SwitchboardConfig.Cluster cluster, Stores stores, Conversations<?> conversations,
                            Clock clock, Supplier<String> serves, StatusBoard board,
                            Consumer<AutoCloseable> closeLater, SharedBudgets shares) {
        if (!cluster.enabled()) {
            return null;
        }
        String nodeId = cluster.nodeId().isEmpty() ? ClusterNode.defaultId() : cluster.nodeId();
        var storage = stores.database().orElseThrow(() -> new IllegalStateException(
                "cluster.enabled needs storage.backend: postgres"));
        PostgresCluster rows = storage.cluster(nodeId, cluster.lease());
        PostgresSignals signals = storage.signals(nodeId);
        closeLater.accept(signals);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2,
                Thread.ofPlatform().daemon().name("cluster-", 0).factory());
        closeLater.accept(scheduler::shutdownNow);
        conversations.shareUserLimits(storage.userAllowances());
        SharedLimits limits = new SharedLimits(shares, signals, nodeId,
                () -> SharedLimits.spending(rows.nodes(), nodeId), scheduler);
        closeLater.accept(limits); // closed after the node has left, so the others count without it
        ClusterNode node = new ClusterNode(rows, signals, conversations, scheduler, clock, serves).start();
        closeLater.accept(node);
        limits.start(cluster.lease().dividedBy(3));
        board.showNodes(() -> nodes(node, clock.instant()));
        return node;
    }

    /**
     * Spreads Discord's {@code total} shards over the nodes running Discord: this node claims its share and runs it
     * through {@code runner}. Closing it (after the replies drained, before the adapter closes) hands the shards over.
     */
    static ShardSpread spreadShards(SwitchboardConfig.Cluster cluster, Stores stores, ClusterNode node, int total,
                                    ShardRunner runner, Clock clock, Consumer<AutoCloseable> closeLater) {
        PostgresShards rows = stores.database().orElseThrow().shards(node.nodeId(), total, cluster.lease());
        // A thread of its own: closing a shard waits for its connection, which must not hold up the heartbeat.
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("discord-shards").factory());
        closeLater.accept(scheduler::shutdownNow);
        ShardSpread spread = ShardSpread.of(rows, runner, clock);
        closeLater.accept(spread);
        return spread.start(scheduler);
    }

    /** Discord's 5 s between IDENTIFYs, counted for the whole bot: the nodes take turns through the database. */
    static IdentifyQueue identifyTurns(Stores stores) {
        PostgresIdentifyTurns turns = stores.database().orElseThrow().identifyTurns(IDENTIFY_SPACING);
        return new IdentifyQueue() {
            @Override
            public Duration take(int bucket) {
                return turns.take(bucket);
            }

            @Override
            public void done(int bucket) {
                turns.done(bucket);
            }
        };
    }

    private static List<Status.Node> nodes(ClusterNode node, Instant now) {
        return node.nodes().stream().map(n -> new Status.Node(n.nodeId(), n.nodeId().equals(node.nodeId()), n.alive(),
                n.sinceBeat(), n.startedAt() == null ? Duration.ZERO : Duration.between(n.startedAt(), now).abs(),
                n.load(), n.serves())).toList();
    }
}
