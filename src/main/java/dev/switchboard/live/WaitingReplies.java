package dev.switchboard.live;

import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The replies with text to show, urgent ones first, then oldest unseen text first, and how many of them spend from
 * each budget ({@link Budget#waiting()}): when a budget every waiting reply spends from is not free, a pacing slot can stop at the first reply
 * instead of visiting them all. Not thread-safe: guarded by the engine.
 */
final class WaitingReplies<T> {

    private final TreeSet<T> order;
    private final Function<T, List<Budget>> budgets;
    private final Predicate<T> urgent;

    /**
     * @param order urgent replies before the others, then oldest first
     * @param urgent whether a reply's next write is urgent (may spend the budgets' reserves)
     */
    WaitingReplies(Comparator<T> order, Function<T, List<Budget>> budgets, Predicate<T> urgent) {
        this.order = new TreeSet<>(order);
        this.budgets = budgets;
        this.urgent = urgent;
    }

    /**
     * Call before the reply's place in the order or its budgets change, and {@link #add} after.
     *
     * @return whether it was in the index
     */
    boolean remove(T reply) {
        if (order.remove(reply)) {
            for (Budget b : budgets.apply(reply)) {
                b.waiting--;
            }
            return true;
        }
        return false;
    }

    void add(T reply) {
        if (order.add(reply)) {
            for (Budget b : budgets.apply(reply)) {
                b.waiting++;
            }
        }
    }

    /** The oldest, or null. */
    T first() {
        return order.isEmpty() ? null : order.first();
    }

    /** The next after {@code reply} in the order (by its place now), or null. */
    T after(T reply) {
        return order.higher(reply);
    }

    /**
     * Nanoseconds until a budget of {@code reply} that every waiting reply spends from is free for it; 0 when no such
     * budget is busy at {@code now}: then other replies may still write. Replies after it in the order are no more
     * urgent, so what stops it stops them too; an urgent one is asked about as a final text, which may spend the most,
     * as a final text may come after a first sign in the order.
     */
    long nanosUntilAnyMayWrite(T reply, long now) {
        long wait = 0;
        Need most = urgent.test(reply) ? Need.FINAL_TEXT : Need.PACED;
        for (Budget b : budgets.apply(reply)) {
            if (b.waiting == order.size()) {
                wait = Math.max(wait, b.nanosUntilFree(now, most));
            }
        }
        return wait;
    }
}
