package dev.switchboard;

import dev.switchboard.answering.Conversations;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.ops.Status;
import dev.switchboard.ops.StatusBoard;
import dev.switchboard.store.postgres.PostgresCluster;
import dev.switchboard.store.postgres.PostgresSignals;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Makes this process one node of several when {@code cluster.enabled}: its heartbeat, leases and shared poll. */
final class Clustering {

    private Clustering() {
    }

    /**
     * Joins the cluster before any message is taken, and shows the nodes in the status.
     *
     * @param serves what this node serves, read at every heartbeat
     * @param closeLater takes what to close when the service stops
     */
    static void join(SwitchboardConfig.Cluster cluster, Stores stores, Conversations<?> conversations, Clock clock,
                     Supplier<String> serves, StatusBoard board, Consumer<AutoCloseable> closeLater) {
        if (!cluster.enabled()) {
            return;
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
        ClusterNode node = new ClusterNode(rows, signals, conversations, scheduler, clock, serves).start();
        closeLater.accept(node);
        board.showNodes(() -> nodes(node, clock.instant()));
    }

    private static List<Status.Node> nodes(ClusterNode node, Instant now) {
        return node.nodes().stream().map(n -> new Status.Node(n.nodeId(), n.nodeId().equals(node.nodeId()), n.alive(),
                n.sinceBeat(), n.startedAt() == null ? Duration.ZERO : Duration.between(n.startedAt(), now).abs(),
                n.load(), n.serves())).toList();
    }
}
