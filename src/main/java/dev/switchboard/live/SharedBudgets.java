package dev.switchboard.live;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * The write budgets several nodes of one bot spend together. A platform counts some limits per workspace or per bot,
 * whichever node writes: each node then spends its {@linkplain #split share}, the platform's allowance divided by the
 * nodes writing (idle nodes take none; see the root package's SharedLimits), paced locally so that no write waits on
 * the database; when those nodes change, every share is set again. A 429 one node sees pauses that scope on every node: {@link Budget#pause} tells the {@link Announcer}, which
 * sends the scope and the Retry-After left to the other nodes, and they apply it on receipt
 * ({@link #pausedElsewhere}), so clocks that differ between nodes do not matter. Budgets the platform counts per
 * channel are {@linkplain #pausedTogether paused together} but not divided: a thread is answered by one node, and
 * dividing every channel's budget would halve each thread's pace for the rare channel two nodes write to.
 *
 * <p>Alone (one node, or no cluster), every share is the whole allowance and nothing is announced. Budgets are held
 * weakly, by scope name: one the adapters forget is forgotten here. Thread-safe.
 */
public final class SharedBudgets {

    /** Tells the other nodes that a scope is paused for {@code remaining}. */
    @FunctionalInterface
    public interface Announcer {
        void paused(String scope, Duration remaining);
    }

    /** Anything else counted per bot that a node spends its share of (the Discord gate's global bucket). */
    public interface Shared {
        /** Spend {@code 1 / nodes} of the platform's allowance from now on. */
        void share(int nodes);

        /** Another node saw a 429 of this scope: wait out {@code remaining} here too. */
        void pausedElsewhere(Duration remaining);
    }

    private final Cache<String, Budget> split = Caffeine.newBuilder().weakValues().build();
    private final Cache<String, Budget> together = Caffeine.newBuilder().weakValues().build();
    private final java.util.Map<String, Shared> others = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile int nodes = 1;
    private volatile Announcer announcer = (scope, remaining) -> { };

    /** The nodes the budgets are divided among now. */
    public int nodes() {
        return nodes;
    }

    /** Where 429s go to reach the other nodes. */
    public void announceWith(Announcer announcer) {
        this.announcer = announcer;
    }

    /**
     * Divides {@code budget} (counted per workspace or per bot) among the live nodes, and pauses it everywhere on a
     * 429. Returns it, for use in a {@code computeIfAbsent}.
     */
    public Budget split(Budget budget) {
        return pausedTogether(divided(budget));
    }

    /**
     * Divides {@code budget} among the live nodes, but keeps its 429s on this node: for a budget paused on a 429 of
     * any write spending it, whose platform scope is told apart elsewhere (Discord's bot budget, paused with a
     * channel's 429 too; its real global 429s reach the other nodes through the request gate).
     */
    public Budget divided(Budget budget) {
        budget.share(nodes);
        split.put(budget.name(), budget);
        return budget;
    }

    /** Pauses {@code budget} (counted per channel) on every node on a 429, without dividing it. Returns it. */
    public Budget pausedTogether(Budget budget) {
        String scope = budget.name();
        together.put(scope, budget);
        budget.onPause = remaining -> announcer.paused(scope, remaining);
        return budget;
    }

    /**
     * Adds something else shared among the nodes under {@code scope}: one per service, held for good.
     *
     * @return what to call with the Retry-After when this node sees a 429 of that scope
     */
    public java.util.function.Consumer<Duration> add(String scope, Shared shared) {
        shared.share(nodes);
        others.put(scope, shared);
        return remaining -> announcer.paused(scope, remaining);
    }

    /** The live nodes are now {@code live} (at least one: this node): every share is set again. */
    public void nodes(int live) {
        int n = Math.max(1, live);
        if (n == nodes) {
            return;
        }
        nodes = n;
        split.asMap().values().forEach(b -> b.share(n));
        others.values().forEach(s -> s.share(n));
    }

    /** Another node saw a 429 of {@code scope}: pauses it here for {@code remaining}, without announcing it again. */
    public void pausedElsewhere(String scope, Duration remaining) {
        Budget budget = together.getIfPresent(scope);
        if (budget != null) {
            budget.pauseHere(remaining);
        }
        Shared shared = others.get(scope);
        if (shared != null) {
            shared.pausedElsewhere(remaining);
        }
    }
}
