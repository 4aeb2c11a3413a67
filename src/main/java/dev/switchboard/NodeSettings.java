package dev.switchboard;

import dev.switchboard.admin.Admin;
import dev.switchboard.admin.Settings;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.routing.Router;
import dev.switchboard.store.postgres.PostgresSignals;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Operator commands across the nodes of a cluster: a node that saved a settings change tells the others, and each
 * reads the settings again into its router (also after its listening connection was lost, as signals may have been);
 * {@code reload} on one node makes every node re-read its own config file ({@link ClusterReload}). Thread-safe.
 */
final class NodeSettings implements PostgresSignals.Listener {

    static final String TOPIC = "settings";

    private final String nodeId;
    private final Settings settings;
    private final Router router;
    private final ExecutorService work;
    private final AtomicBoolean pending = new AtomicBoolean();

    private NodeSettings(String nodeId, Settings settings, Router router, ExecutorService work) {
        this.nodeId = nodeId;
        this.settings = settings;
        this.router = router;
        this.work = work;
    }

    /**
     * Joins the settings and {@code reload} of this node to the other nodes' when {@code cluster.enabled}.
     *
     * @param node this process as a node of several, or null when it runs alone
     * @param local how this node alone reloads its config, or null when it was not started from a file
     * @param closeLater takes what to close when the service stops
     * @return how {@code reload} runs now: here and, when clustered, on every node
     */
    static Admin.Reload join(ClusterNode node, Router router, Settings settings, Admin.Reload local,
                             Consumer<AutoCloseable> closeLater) {
        if (node == null) {
            return local;
        }
        String nodeId = node.nodeId();
        ExecutorService work = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("node-settings").factory());
        closeLater.accept(work::shutdownNow);
        PostgresSignals signals = node.signals();
        signals.subscribe(TOPIC, new NodeSettings(nodeId, settings, router, work));
        settings.whenChanged(() -> signals.send(TOPIC, ""));
        Admin.Reload here = local != null ? local : () -> "reload is not available on node " + nodeId
                + ": it was not started from a config file.";
        ClusterReload reload = new ClusterReload(nodeId, here, signals, node::nodes, work, Duration.ofSeconds(1));
        signals.subscribe(ClusterReload.ASK, reload);
        signals.subscribe(ClusterReload.ANSWER, reload.answers());
        return reload;
    }

    @Override
    public void signalled(PostgresSignals.Signal signal) {
        if (!signal.sender().equals(nodeId)) {
            readAgain();
        }
    }

    @Override
    public void missed() {
        readAgain();
    }

    /** On the work thread, so the listening thread goes on; changes arriving meanwhile are read in one go. */
    private void readAgain() {
        if (pending.compareAndSet(false, true)) {
            work.execute(() -> {
                pending.set(false);
                settings.refresh(router);
            });
        }
    }
}
