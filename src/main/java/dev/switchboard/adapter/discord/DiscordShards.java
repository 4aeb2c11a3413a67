package dev.switchboard.adapter.discord;

import dev.switchboard.cluster.ShardRunner;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.sharding.ShardManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shards this node runs when the nodes share them: JDA's shard manager, made with the first shard handed to this
 * node ({@code DefaultShardManager} logs in with a shard of its list, shard 0 when the list is empty, so it cannot
 * start without one), then {@link ShardManager#start(int)} and {@link ShardManager#shutdown(int)} for the others.
 * A shard is stopped only once JDA has made it (it waits its turn in the identify queue until then), and
 * {@link #stop} returns when its connection is closed. Thread-safe.
 */
final class DiscordShards implements ShardRunner {

    private static final Logger log = LoggerFactory.getLogger(DiscordShards.class);
    /** How long a stop waits for a queued shard to be made, and then for its connection to close. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final int total;
    private final Function<List<Integer>, ShardManager> make;
    private final Consumer<ShardManager> made;
    private ShardManager manager;

    /**
     * @param make makes the shard manager with these shards and logs in
     * @param made told of the shard manager once it is made
     */
    DiscordShards(int total, Function<List<Integer>, ShardManager> make, Consumer<ShardManager> made) {
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
            manager = make.apply(List.of(shard));
            made.accept(manager);
        } else {
            manager.start(shard);
        }
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
            // Queued behind the identify pacing: JDA makes it within seconds; closing it before would leave it queued.
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
