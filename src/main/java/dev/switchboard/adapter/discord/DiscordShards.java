package dev.switchboard.adapter.discord;

import dev.switchboard.cluster.ShardRunner;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.sharding.ShardManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shards this node runs when the nodes share them: JDA's shard manager, made without shards and without logging
 * in (the token is checked first), then {@link ShardManager#start(int)} and {@link ShardManager#shutdown(int)} for
 * every shard. Every shard is opened by the manager's queue worker: {@code DefaultShardManager.login()} ends by
 * starting that worker outside the queue's lock, and when the worker finishes before {@code login()} records it, the
 * manager keeps a finished worker as running and never opens a later shard (seen in JDA 6.5).
 * A shard is stopped only once JDA has made it (the worker makes it at once; its connection then waits its turn to
 * identify), and {@link #stop} returns when its connection is closed. Thread-safe.
 */
final class DiscordShards implements ShardRunner {

    private static final Logger log = LoggerFactory.getLogger(DiscordShards.class);
    /** How long a stop waits for a queued shard to be made, and then for its connection to close. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final int total;
    private final Supplier<ShardManager> make;
    private final Consumer<ShardManager> made;
    private ShardManager manager;

    /**
     * @param make makes the shard manager, with no shard and without logging in
     * @param made told of the shard manager once it is made
     */
    DiscordShards(int total, Supplier<ShardManager> make, Consumer<ShardManager> made) {
        this.total = total;
        this.make = make;
        this.made = made;
    }

    @Override
    public synchronized void start(int shard) {
        if (shard < 0 || shard >= total) {
            throw new IllegalArgumentException("no shard " + shard + " of " + total);
        }
        if (manager == null) {
            manager = make.get();
            made.accept(manager);
        }
        manager.start(shard);
        log.info("discord: opening shard {} of {}", shard, total);
    }

    @Override
    public void stop(int shard) {
        ShardManager m = manager();
        if (m == null) {
            return;
        }
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        JDA jda = m.getShardById(shard);
        while (jda == null && System.nanoTime() < deadline) {
            // Still in the manager's queue: JDA makes it shortly; closing it before would leave it queued.
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            jda = m.getShardById(shard);
        }
        m.shutdown(shard);
        if (jda == null) {
            log.warn("discord: shard {} was not made within {} s; closed what there was", shard, STOP_WAIT.toSeconds());
            return;
        }
        try {
            if (!jda.awaitShutdown(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("discord: shard {} did not close within {} s", shard, STOP_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("discord: closed shard {} of {}", shard, total);
    }

    @Override
    public boolean running(int shard) {
        ShardManager m = manager();
        JDA jda = m == null ? null : m.getShardById(shard);
        return jda != null && jda.getStatus() == JDA.Status.CONNECTED;
    }

    private synchronized ShardManager manager() {
        return manager;
    }
}
