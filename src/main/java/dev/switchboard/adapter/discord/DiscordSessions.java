package dev.switchboard.adapter.discord;

import dev.switchboard.cluster.IdentifyQueue;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.exceptions.ErrorResponseException;
import net.dv8tion.jda.api.utils.ConcurrentSessionController;
import org.jetbrains.annotations.NotNull;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the shards of this process connect: JDA's {@link ConcurrentSessionController} (one IDENTIFY per 5 s here) on
 * the configured gateway, plus the bot's shared turns when several nodes open shards. Each connection first waits for
 * its bucket's turn from the {@link IdentifyQueue}, on the controller's own worker thread, and tells the queue once
 * it is ready; a shard closed meanwhile takes no turn. When the queue cannot be reached, the local pacing alone
 * applies.
 *
 * <p>The shard manager sets the concurrency again each time its queue worker starts; the base class then replaces its
 * identify queues, so two shards could identify at once and taking a closed shard's connection out of its queue would
 * miss it. The queues are kept here when the concurrency does not change.
 */
final class DiscordSessions extends ConcurrentSessionController {

    private static final Logger log = LoggerFactory.getLogger(DiscordSessions.class);

    private final String gateway;
    private final int totalShards;
    private final IdentifyQueue turns;
    /** The wrapper queued for each node JDA hands over, so that it can be taken out again. */
    private final Map<SessionConnectNode, SessionConnectNode> queued = new ConcurrentHashMap<>();
    private int concurrency = 1;

    DiscordSessions(String gateway, int totalShards, IdentifyQueue turns) {
        this.gateway = gateway;
        this.totalShards = totalShards;
        this.turns = turns;
    }

    @Override
    public String getGateway() {
        return gateway;
    }

    @Override
    public ShardedGateway getShardedGateway(JDA api) {
        return new ShardedGateway(gateway, totalShards);
    }

    @Override
    public synchronized void setConcurrency(int level) {
        if (level != concurrency) {
            concurrency = level;
            super.setConcurrency(level);
        }
    }

    @Override
    public void appendSession(@NotNull SessionConnectNode node) {
        super.appendSession(queued.computeIfAbsent(node, this::inTurn));
    }

    @Override
    public void removeSession(@NotNull SessionConnectNode node) {
        SessionConnectNode wrapper = queued.remove(node);
        super.removeSession(wrapper == null ? node : wrapper);
    }

    private SessionConnectNode inTurn(SessionConnectNode node) {
        return new SessionConnectNode() {
            @Override
            public boolean isReconnect() {
                return node.isReconnect();
            }

            @NotNull
            @Override
            public JDA getJDA() {
                return node.getJDA();
            }

            @NotNull
            @Override
            public JDA.ShardInfo getShardInfo() {
                return node.getShardInfo();
            }

            @Override
            public void run(boolean isLast) throws InterruptedException {
                queued.remove(node, this);
                int bucket = node.getShardInfo().getShardId() % concurrency();
                if (!awaitTurn(node, bucket)) {
                    return;
                }
                try {
                    node.run(isLast);
                } catch (InterruptedException | IllegalStateException | ErrorResponseException e) {
                    queued.putIfAbsent(node, this); // the controller queues this wrapper again
                    throw e;
                } finally {
                    done(bucket);
                }
            }
        };
    }

    private static boolean closed(JDA jda) {
        JDA.Status status = jda.getStatus();
        return status == JDA.Status.SHUTTING_DOWN || status == JDA.Status.SHUTDOWN;
    }

    private synchronized int concurrency() {
        return concurrency;
    }

    /** @return whether the shard still wants to connect, its turn taken (or the shared queue out of reach) */
    private boolean awaitTurn(SessionConnectNode node, int bucket) throws InterruptedException {
        while (!closed(node.getJDA())) {
            Duration wait;
            try {
                wait = turns.take(bucket);
            } catch (RuntimeException e) {
                log.warn("discord: could not take a shared turn to identify ({}); pacing this node's own only",
                        e.toString());
                return true;
            }
            if (wait.isZero()) {
                return true;
            }
            log.debug("discord: waiting {} ms for the bot's next turn to identify", wait.toMillis());
            TimeUnit.MILLISECONDS.sleep(wait.toMillis());
        }
        return false;
    }

    private void done(int bucket) {
        try {
            turns.done(bucket);
        } catch (RuntimeException e) {
            log.warn("discord: could not tell the other nodes when this connection was ready ({})", e.toString());
        }
    }
}
