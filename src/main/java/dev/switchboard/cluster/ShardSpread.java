package dev.switchboard.cluster;

import dev.switchboard.store.postgres.PostgresShards;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discord's shards spread over the nodes that run Discord: each node claims shards by lease in the database and runs
 * exactly those. Every round (a third of the lease, at most a second) it renews its leases, then moves towards a fair
 * share: with {@code n} nodes each runs between {@code total / n} and {@code ceil(total / n)} shards. A node under the
 * lower bound claims free shards up to it, and up to the upper one when no other node is short; a node over the upper
 * bound, or over the lower one while another node is short and no shard is free, closes and releases the surplus. A
 * shard is released only after its connection closed, and a node that cannot renew its leases closes its shards
 * before they could lapse, so no shard's events ever reach two nodes. A dead node's shards are free once their
 * leases lapse. Thread-safe: rounds run one at a time.
 */
public final class ShardSpread implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ShardSpread.class);
    /** After a shard could not be opened (a refused token, Discord out of reach), how long this node claims none. */
    static final Duration PAUSE_AFTER_FAILED_START = Duration.ofSeconds(30);

    /** The database side, as {@link PostgresShards} offers it. */
    public interface Rows {
        String nodeId();

        int total();

        Duration lease();

        PostgresShards.View round(Collection<Integer> holds);

        boolean claim(int shard);

        void release(int shard);

        void leave();
    }

    private final Rows rows;
    private final ShardRunner runner;
    private final Clock clock;
    /** The shards this node runs (or is connecting), by lease. Guarded by this. */
    private final TreeSet<Integer> held = new TreeSet<>();
    private Instant renewedAt;
    /** Until when this node claims no shard, after one could not be opened; null: it claims. */
    private Instant pausedUntil;
    private ScheduledFuture<?> task;
    private volatile boolean closed;

    public ShardSpread(Rows rows, ShardRunner runner, Clock clock) {
        this.rows = rows;
        this.runner = runner;
        this.clock = clock;
    }

    /** Over the rows of the database. */
    public static ShardSpread of(PostgresShards rows, ShardRunner runner, Clock clock) {
        return new ShardSpread(new Rows() {
            @Override
            public String nodeId() {
                return rows.nodeId();
            }

            @Override
            public int total() {
                return rows.total();
            }

            @Override
            public Duration lease() {
                return rows.lease();
            }

            @Override
            public PostgresShards.View round(Collection<Integer> holds) {
                return rows.round(holds);
            }

            @Override
            public boolean claim(int shard) {
                return rows.claim(shard);
            }

            @Override
            public void release(int shard) {
                rows.release(shard);
            }

            @Override
            public void leave() {
                rows.leave();
            }
        }, runner, clock);
    }

    /** How often a round runs: a third of the lease, at most a second. */
    public Duration every() {
        Duration third = rows.lease().dividedBy(3);
        return third.compareTo(Duration.ofSeconds(1)) < 0 ? third : Duration.ofSeconds(1);
    }

    /** The first round now, then one every {@link #every()} on {@code scheduler} (not closed here). */
    public ShardSpread start(ScheduledExecutorService scheduler) {
        roundQuietly();
        long millis = Math.max(1, every().toMillis());
        synchronized (this) {
            task = scheduler.scheduleWithFixedDelay(this::roundQuietly, millis, millis, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** The shards this node holds now, in order. */
    public synchronized List<Integer> held() {
        return List.copyOf(held);
    }

    /** What this node serves on Discord, as operators read it: "discord shards 0, 2 of 4". */
    public synchronized String describe() {
        return held.isEmpty() ? "discord (no shard yet, of " + rows.total() + ")"
                : "discord shards " + held.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " of "
                + rows.total();
    }

    private void roundQuietly() {
        try {
            round();
        } catch (RuntimeException e) {
            log.warn("cluster: a round of the Discord shards failed ({}); trying again shortly", e.toString());
        }
    }

    /** One round: renew, then claim or release towards a fair share. */
    synchronized void round() {
        if (closed) {
            return;
        }
        Instant started = clock.instant();
        if (pausedUntil != null && started.isBefore(pausedUntil) && held.isEmpty()) {
            return; // not a member meanwhile: the others share the shards without it
        }
        PostgresShards.View view;
        try {
            view = rows.round(List.copyOf(held));
        } catch (RuntimeException e) {
            fenceIfLapsing(e);
            return;
        }
        renewedAt = started;
        for (Integer shard : List.copyOf(held)) {
            if (!view.renewed().contains(shard)) {
                log.warn("cluster: the lease on Discord shard {} lapsed; closing it here", shard);
                runner.stop(shard);
                held.remove(shard);
            }
        }
        int members = Math.max(1, view.members().size());
        int total = rows.total();
        int low = total / members;
        int high = (total + members - 1) / members;
        Map<String, Integer> counts = new HashMap<>();
        view.members().forEach(m -> counts.put(m, 0));
        view.holders().values().forEach(n -> counts.merge(n, 1, Integer::sum));
        counts.put(rows.nodeId(), held.size());
        boolean othersShort = view.members().stream()
                .anyMatch(m -> !m.equals(rows.nodeId()) && counts.getOrDefault(m, 0) < low);
        List<Integer> free = new ArrayList<>();
        for (int shard = 0; shard < total; shard++) {
            if (!view.holders().containsKey(shard) && !held.contains(shard)) {
                free.add(shard);
            }
        }
        if (held.size() > high) {
            releaseSome(held.size() - high);
        } else if (held.size() > low && othersShort && free.isEmpty()) {
            releaseSome(1);
        } else {
            int target = othersShort ? Math.max(low, 1) : high;
            for (int shard : free) {
                if (held.size() >= target || pausedUntil != null && clock.instant().isBefore(pausedUntil)) {
                    break;
                }
                keepLeases();
                if (rows.claim(shard) && opened(shard)) {
                    held.add(shard);
                    log.info("cluster: node {} runs Discord shard {} of {} now", rows.nodeId(), shard, total);
                }
            }
        }
    }

    /**
     * Opens a shard just claimed. When it cannot be opened, its lease goes back at once (another node may open it)
     * and this node claims no shard for {@link #PAUSE_AFTER_FAILED_START}, rather than asking Discord every round;
     * holding none, it also stops being a member meanwhile.
     */
    private boolean opened(int shard) {
        try {
            runner.start(shard);
            return true;
        } catch (RuntimeException e) {
            pausedUntil = clock.instant().plus(PAUSE_AFTER_FAILED_START);
            log.warn("cluster: could not open Discord shard {} ({}); its lease goes back, and this node claims no"
                    + " shard for {} s", shard, e.getMessage(), PAUSE_AFTER_FAILED_START.toSeconds());
            rows.release(shard);
            if (held.isEmpty()) {
                rows.leave(); // counted out at once, so the others do not leave it a share it cannot open
            }
            return false;
        }
    }

    /** Closes and releases up to {@code count} shards that are connected (one still connecting is kept). */
    private void releaseSome(int count) {
        for (Integer shard : held.descendingSet().stream().filter(runner::running).limit(count).toList()) {
            keepLeases();
            runner.stop(shard);
            held.remove(shard);
            rows.release(shard);
            log.info("cluster: node {} handed Discord shard {} over to the other nodes", rows.nodeId(), shard);
        }
    }

    /**
     * Renews the leases held when the round has run for a third of the lease already: opening the first shard checks
     * the token with Discord, and closing one waits for its connection, either of which can take a while.
     */
    private void keepLeases() {
        Instant now = clock.instant();
        if (renewedAt == null || Duration.between(renewedAt, now).compareTo(rows.lease().dividedBy(3)) < 0
                || held.isEmpty()) {
            return;
        }
        if (rows.round(List.copyOf(held)).renewed().containsAll(held)) {
            renewedAt = now;
        }
    }

    /** The round failed: when the leases could lapse before the next one, the shards close here first. */
    private void fenceIfLapsing(RuntimeException e) {
        Duration lease = rows.lease();
        Duration margin = lease.dividedBy(4);
        if (renewedAt != null && !held.isEmpty()
                && Duration.between(renewedAt, clock.instant()).compareTo(lease.minus(margin)) >= 0) {
            log.warn("cluster: could not renew the Discord shards for {} ms ({}); closing {} here before their"
                    + " leases lapse", Duration.between(renewedAt, clock.instant()).toMillis(), e.toString(), held);
            held.forEach(runner::stop);
            held.clear();
        } else {
            log.warn("cluster: could not renew the Discord shards ({}); trying again shortly", e.toString());
        }
    }

    /**
     * Hands every shard over: each closed here, then released, so the other nodes open them at their next round.
     */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (task != null) {
                task.cancel(false);
            }
            for (Integer shard : List.copyOf(held)) {
                runner.stop(shard);
                held.remove(shard);
                try {
                    rows.release(shard);
                } catch (RuntimeException e) {
                    log.warn("cluster: could not release Discord shard {} ({}); its lease lapses on its own", shard,
                            e.toString());
                }
            }
            try {
                rows.leave();
            } catch (RuntimeException e) {
                log.warn("cluster: could not leave the Discord shards cleanly ({})", e.toString());
            }
        }
    }
}
