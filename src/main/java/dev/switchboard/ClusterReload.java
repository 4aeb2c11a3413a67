package dev.switchboard;

import dev.switchboard.admin.Admin;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.store.postgres.PostgresCluster;
import dev.switchboard.store.postgres.PostgresSignals;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code reload} on one node of several: this node re-reads its config file and answers with its outcome; the other
 * nodes are told to re-read theirs, log their outcome and send it back, and the answer lists those that arrive within
 * a short wait. Thread-safe.
 */
final class ClusterReload implements Admin.Reload, PostgresSignals.Listener {

    private static final Logger log = LoggerFactory.getLogger(ClusterReload.class);

    static final String ASK = "reload";
    static final String ANSWER = "reloaded";
    /** An outcome sent back is cut to this, well inside a notification's limit. */
    private static final int MAX_OUTCOME_CHARS = 2000;

    private final String nodeId;
    private final Admin.Reload local;
    private final PostgresSignals signals;
    private final Supplier<List<PostgresCluster.Node>> nodes;
    private final Executor work;
    private final Duration wait;
    private final Map<String, Asked> asked = new ConcurrentHashMap<>();

    /** One reload this node asked the others for, and their outcomes so far, by node. */
    private record Asked(Set<String> expected, Map<String, String> outcomes, CompletableFuture<Void> all) {
        void add(String node, String outcome) {
            outcomes.put(node, outcome);
            if (outcomes.keySet().containsAll(expected)) {
                all.complete(null);
            }
        }
    }

    /**
     * @param nodes the nodes as their heartbeats show them, to know whose outcome to wait for
     * @param work where a reload asked by another node runs, off the listening thread
     * @param wait how long an answer waits for the other nodes' outcomes
     */
    ClusterReload(String nodeId, Admin.Reload local, PostgresSignals signals,
                  Supplier<List<PostgresCluster.Node>> nodes, Executor work, Duration wait) {
        this.nodeId = nodeId;
        this.local = local;
        this.signals = signals;
        this.nodes = nodes;
        this.work = work;
        this.wait = wait;
    }

    @Override
    public String reload() {
        Set<String> others;
        try {
            others = nodes.get().stream().filter(n -> n.alive() && !n.nodeId().equals(nodeId))
                    .map(PostgresCluster.Node::nodeId).collect(Collectors.toCollection(TreeSet::new));
        } catch (StoreException e) {
            others = Set.of();
        }
        String id = UUID.randomUUID().toString();
        Asked ask = new Asked(others, new ConcurrentHashMap<>(), new CompletableFuture<>());
        asked.put(id, ask);
        try {
            String told = null;
            try {
                signals.send(ASK, id); // first, so the other nodes reload while this one does
            } catch (StoreException e) {
                told = "The other nodes could not be told to reload (" + e.getMessage() + "); run reload on each of"
                        + " them.";
            }
            String here = local.reload();
            if (told != null) {
                return here + "\n" + told;
            }
            awaitOutcomes(ask);
            return here + "\n" + others(ask);
        } finally {
            asked.remove(id);
        }
    }

    /** Until every node alive answered, or the wait is over; the answer names those that did not answer. */
    private void awaitOutcomes(Asked ask) {
        if (ask.expected().isEmpty()) {
            return;
        }
        try {
            ask.all().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.debug("reload: not every node answered within {}", wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String others(Asked ask) {
        Map<String, String> outcomes = new TreeMap<>(ask.outcomes());
        if (ask.expected().isEmpty() && outcomes.isEmpty()) {
            return "No other node is alive now; any that joins reads its config file at its start.";
        }
        StringBuilder out = new StringBuilder("The other nodes were told to reload their config files:");
        outcomes.forEach((node, outcome) -> out.append("\n  ").append(node).append(": ").append(outcome));
        ask.expected().stream().filter(n -> !outcomes.containsKey(n)).forEach(n -> out.append("\n  ").append(n)
                .append(": no answer within ").append(wait.toMillis()).append(" ms; its log says how it went."));
        return out.toString();
    }

    /** Another node asks: reload here, log the outcome and send it back. */
    @Override
    public void signalled(PostgresSignals.Signal signal) {
        if (signal.sender().equals(nodeId)) {
            return;
        }
        work.execute(() -> {
            String outcome = local.reload();
            log.info("reload asked by node {}: {}", signal.sender(), outcome);
            String cut = outcome.length() > MAX_OUTCOME_CHARS ? outcome.substring(0, MAX_OUTCOME_CHARS) + " …"
                    : outcome;
            try {
                signals.send(ANSWER, signal.payload() + "\n" + cut);
            } catch (RuntimeException e) {
                log.warn("the outcome of a reload could not be sent back to node {} ({})", signal.sender(),
                        e.toString());
            }
        });
    }

    /** Takes the other nodes' outcomes of the reloads this node asked for. */
    PostgresSignals.Listener answers() {
        return signal -> {
            int nl = signal.payload().indexOf('\n');
            Asked ask = nl < 0 ? null : asked.get(signal.payload().substring(0, nl));
            if (ask != null) {
                ask.add(signal.sender(), signal.payload().substring(nl + 1));
            }
        };
    }
}
