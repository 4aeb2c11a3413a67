package dev.switchboard.live;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.List;

/**
 * A platform's write allowance for one scope (a Slack workspace's chat.update, a Discord channel's edits, a bot's
 * requests), spent smoothly: one write per interval, never a burst. Every reply writing in that scope shares it.
 * A 429 puts it in debt for the Retry-After. Thread-safe.
 *
 * <p>Of the platform's {@code writes} per window, a budget of two or more paces its writes at one fewer, and holds
 * the last one back as a reserve for {@linkplain Need#urgent urgent} writes: a reply's first visible sign and its
 * final text. Streaming replies use every pacing slot, so without it a finished reply would wait for the next slot
 * (half an interval on average) although the user is waiting for exactly that write; with it, the final text goes the
 * moment the provider finishes, and takes nothing from the pace the other replies are owed. Paced writes are spaced
 * at least window / (writes - 1) apart and reserve writes a window apart, so no window of the platform's length
 * (sliding or fixed) ever holds more than {@code writes}. The reserve refills only once per window, so a final
 * text may also go as a spare write while the budget is quiet ({@link RecentWrites#spareAt}); every write then checks
 * the platform's window as the budget's latest writes fill it, so it still never holds more than {@code writes}.
 *
 * <p>The moment the next write may go is kept beside the bucket and worked out again only when the bucket changes
 * (a write taken, a pause): tokens only come back with time, so until then the answer stays right, and the live
 * engine, which asks for every waiting reply at every pacing slot, never reads the bucket's state to find it.
 */
public final class Budget {

    private final String name;
    /** Changed only by {@link #share}, under this. */
    private volatile Duration interval;
    private final Bucket bucket;
    /** One write per window held back for urgent writes; null for a budget of one write or bursts. Guarded by this. */
    private Bucket reserve;
    /** On the ticker's time: the end of the latest pause. Guarded by this. */
    private long pausedUntil;
    private final Duration window;
    /** The platform's writes per window and the burst, for {@link #share}. */
    private final int writes;
    private final int burst;
    /** Told of every 429 this node saw, to tell the other nodes; see {@link SharedBudgets}. */
    volatile java.util.function.Consumer<Duration> onPause = d -> { };
    private final Ticker ticker;
    /**
     * How many replies wait in the live engine to write on this budget: its queue. Changed only by the engine's
     * {@link WaitingReplies}, under the engine's lock (there is one engine per service); read from anywhere.
     */
    volatile int waiting;
    /** On the ticker's time: when one paced write may go. Guarded by this. */
    private long freeAt;
    /** On the ticker's time: when the reserve has a write; {@code Long.MAX_VALUE} without one. Guarded by this. */
    private long reserveFreeAt = Long.MAX_VALUE;
    /** This budget's latest writes, for a budget with a reserve. Guarded by this. */
    private final RecentWrites recent;

    /**
     * @param name for logs, e.g. "slack T123 chat.update"
     * @param writes how many writes the platform allows per {@code per}
     * @param per the platform's window
     * @param ticker the time source
     */
    public Budget(String name, int writes, Duration per, Ticker ticker) {
        this(name, writes, per, 1, ticker);
    }

    /**
     * A budget that may also spend up to {@code burst} writes at once after a quiet spell (still {@code writes} per
     * {@code per} over time): for requests many callers race for at the same moment, such as typing indicators. It
     * keeps no reserve.
     */
    public Budget(String name, int writes, Duration per, int burst, Ticker ticker) {
        this.name = name;
        this.writes = writes;
        this.burst = burst;
        boolean reserved = burst == 1 && writes >= 2;
        long paced = reserved ? writes - 1 : writes;
        // Rounded up: paced writes must never come closer than the window allows.
        this.interval = Duration.ofNanos((per.toNanos() + paced - 1) / paced);
        this.window = per;
        this.ticker = ticker;
        this.freeAt = ticker.nanos();
        this.pausedUntil = freeAt;
        this.bucket = bucket(burst, interval, ticker);
        this.reserve = reserved ? bucket(1, per, ticker) : null;
        this.recent = new RecentWrites(per.toNanos(), writes);
        if (reserved) {
            reserveFreeAt = freeAt;
        }
    }

    private static Bucket bucket(int capacity, Duration refillEvery, Ticker ticker) {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(capacity).refillGreedy(1, refillEvery))
                .withCustomTimePrecision(new TimeMeter() {
                    @Override
                    public long currentTimeNanos() {
                        return ticker.nanos();
                    }

                    @Override
                    public boolean isWallClockBased() {
                        return false;
                    }
                })
                .build();
    }

    @Override
    public String toString() {
        return name + " (one write every " + interval.toMillis() + " ms)";
    }

    /** How many replies wait to write on this budget now (not counting writes on their way). */
    public int waiting() {
        return waiting;
    }

    /** The pace of ordinary writes: one per interval. */
    public Duration interval() {
        return interval;
    }

    /**
     * Waits for this scope's next write and takes it; for a write made outside the live engine (a question posted
     * for {@code /ask}), on a thread that may block. With the platform's 429 it may call {@link #pause} first.
     */
    public void acquire() throws InterruptedException {
        acquireAll(List.of(this), Long.MIN_VALUE);
    }

    /**
     * Waits until every one of {@code budgets} has a write free and takes one from each at once, as the live engine
     * does: no budget's write is held while another is waited for, which would let the write go later than its turn.
     *
     * @param givesWayUntil until when, on the budgets' ticker, the write leaves free writes to replies waiting for
     *     these budgets in the live engine ({@link #waiting()}); {@code Long.MIN_VALUE} for not at all
     */
    static void acquireAll(List<Budget> budgets, long givesWayUntil) throws InterruptedException {
        while (true) {
            long wait = 0;
            boolean others = false;
            for (Budget b : budgets) {
                wait = Math.max(wait, b.nanosUntilFree());
                others |= b.waiting > 0;
            }
            boolean yielding = others && budgets.getFirst().now() < givesWayUntil;
            if (wait == 0 && !yielding && takeAll(budgets, Need.PACED)) {
                return;
            }
            // While giving way, look again about once per write the replies take.
            long nap = yielding ? Math.max(wait, budgets.getFirst().interval.toNanos()) : wait;
            java.util.concurrent.locks.LockSupport.parkNanos(Math.max(1_000_000, nap));
            if (Thread.interrupted()) {
                throw new InterruptedException("waiting for " + budgets);
            }
        }
    }

    /** Now, on this budget's ticker. */
    long now() {
        return ticker.nanos();
    }

    /** Whether one write may go now (without taking it). */
    public boolean free() {
        return nanosUntilFree() == 0;
    }

    /** Nanoseconds until one write may go; 0 when it may go now. */
    long nanosUntilFree() {
        return nanosUntilFree(ticker.nanos());
    }

    /** Nanoseconds from {@code now} (the ticker's) until one write may go; 0 when it may go now. */
    synchronized long nanosUntilFree(long now) {
        return Math.max(0, freeAt - now);
    }

    /** Nanoseconds from {@code now} until a write of {@code need} may go: a paced write, the reserve's, a spare one. */
    synchronized long nanosUntilFree(long now, Need need) {
        long at = need.urgent() ? Math.min(freeAt, reserveFreeAt) : freeAt;
        if (at > now && need == Need.FINAL_TEXT && reserve != null) {
            at = Math.min(at, spareAt(now));
        }
        return Math.max(0, at - now);
    }

    /** When a spare write may go, by the window and the replies waiting now: later ones may change it. */
    private long spareAt(long now) {
        return Math.max(pausedUntil, recent.spareAt(now, waiting));
    }

    /**
     * Nanoseconds from {@code now} until every one of {@code budgets} has a write of {@code need} free.
     */
    static long nanosUntilAllFree(List<Budget> budgets, long now, Need need) {
        long wait = 0;
        for (Budget b : budgets) {
            wait = Math.max(wait, b.nanosUntilFree(now, need));
        }
        return wait;
    }

    /**
     * Takes a write from each of {@code budgets}, all or none: when one has none free now, the writes already taken
     * from the others are given back. Writers outside the live engine (a feedback edit, an {@code /ask} post) take
     * from the same budgets at any moment, so a budget that {@link #nanosUntilAllFree} found free may be spent by the
     * time the engine takes from it; then the write must not go.
     *
     * @return whether every budget gave a write
     */
    static boolean takeAll(List<Budget> budgets, Need need) {
        Taken[] spent = new Taken[budgets.size()];
        for (int i = 0; i < spent.length; i++) {
            spent[i] = budgets.get(i).take(need);
            if (spent[i] == Taken.NONE) {
                for (int j = 0; j < i; j++) {
                    budgets.get(j).giveBack(spent[j]);
                }
                return false;
            }
        }
        return true;
    }

    /** What a take spent, and when, so that it can be given back. */
    private record Taken(Spent how, long at) {
        static final Taken NONE = new Taken(Spent.NONE, 0);
    }

    /**
     * Where a write came from: the paced bucket, the reserve, or a spare write, which a final text takes while the
     * budget is quiet ({@link RecentWrites#spareAt}): the reserve refills only once per window, and a reply finishing
     * soon after another's final would wait for a paced slot although the platform had room for its final text.
     */
    private enum Spent { NONE, PACED, RESERVE, SPARE }

    private synchronized Taken take(Need need) {
        long now = ticker.nanos();
        boolean windowed = reserve != null;
        Spent spent;
        if (windowed && recent.freeAt(now, 1) > now) {
            spent = Spent.NONE; // the platform's window is full: spare writes went before
        } else if (bucket.tryConsume(1)) {
            spent = Spent.PACED;
        } else if (!need.urgent() || !windowed) {
            spent = Spent.NONE;
        } else if (reserve.tryConsume(1)) {
            spent = Spent.RESERVE;
        } else {
            spent = need == Need.FINAL_TEXT && spareAt(now) <= now ? Spent.SPARE : Spent.NONE;
        }
        if (spent == Spent.NONE) {
            refresh();
            return Taken.NONE;
        }
        if (windowed) {
            recent.add(now);
        }
        refresh();
        return new Taken(spent, now);
    }

    private synchronized void giveBack(Taken taken) {
        Bucket from = taken.how() == Spent.PACED ? bucket : taken.how() == Spent.RESERVE ? reserve : null;
        if (from != null) {
            from.addTokens(1);
        }
        if (reserve != null) {
            recent.remove(taken.at());
        }
        refresh();
    }

    /** Takes one write if one is free now, without waiting; false when none is. */
    public synchronized boolean tryTake() {
        return take(Need.PACED) != Taken.NONE;
    }

    /** Takes one write for a write of {@code need} if one is free now; false when none is. */
    synchronized boolean tryTake(Need need) {
        return take(need) != Taken.NONE;
    }

    private void refresh() {
        long now = ticker.nanos();
        long windowFree = reserve != null ? recent.freeAt(now, 1) : now;
        freeAt = Math.max(now + bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill(), windowFree);
        if (reserve != null) {
            reserveFreeAt = Math.max(now + reserve.estimateAbilityToConsume(1).getNanosToWaitForRefill(), windowFree);
        }
    }

    /** The platform said 429: nothing more in this scope until {@code retryAfter} has passed, on any node. */
    public void pause(Duration retryAfter) {
        pauseHere(retryAfter);
        onPause.accept(retryAfter);
    }

    /** Another node saw a 429 in this scope: nothing more here until {@code retryAfter} has passed. */
    synchronized void pauseHere(Duration retryAfter) {
        long end = ticker.nanos() + retryAfter.toNanos();
        if (end - pausedUntil > 0) {
            pausedUntil = end;
        }
        debt(bucket, retryAfter, interval);
        if (reserve != null) {
            debt(reserve, retryAfter, window);
        }
        refresh();
    }

    String name() {
        return name;
    }

    /**
     * Spends only this node's share of the platform's allowance, {@code writes / nodes} per window (at least one),
     * with the same pacing and reserve as a budget of that many writes; see {@link SharedBudgets}. Writes already
     * owed (a pause) stay owed; a write the bucket holds now stays, so a slower rate starts with the next one.
     */
    synchronized void share(int nodes) {
        int share = Math.max(1, writes / Math.max(1, nodes));
        boolean reserved = burst == 1 && share >= 2;
        recent.limit(share);
        long paced = reserved ? share - 1 : share;
        Duration every = Duration.ofNanos((window.toNanos() + paced - 1) / paced);
        if (every.equals(interval) && reserved == (reserve != null)) {
            return;
        }
        interval = every;
        // The burst is divided too: each node's whole burst on top of its share would overrun the platform's window.
        int capacity = Math.max(1, Math.min(burst / Math.max(1, nodes), share));
        bucket.replaceConfiguration(io.github.bucket4j.BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(capacity).refillGreedy(1, every)).build(),
                io.github.bucket4j.TokensInheritanceStrategy.AS_IS);
        if (!reserved) {
            reserve = null;
            reserveFreeAt = Long.MAX_VALUE;
        } else if (reserve == null) {
            reserve = bucket(1, window, ticker);
            reserve.consumeIgnoringRateLimits(1); // earned over a window, like any reserve write
        }
        long pausedFor = pausedUntil - ticker.nanos();
        if (pausedFor > 0) { // a faster refill must not end a pause early
            debt(bucket, Duration.ofNanos(pausedFor), every);
            if (reserve != null) {
                debt(reserve, Duration.ofNanos(pausedFor), window);
            }
        }
        refresh();
    }

    /** Leaves {@code bucket} owing enough that it has no write before {@code retryAfter}; deeper debt stays. */
    private static void debt(Bucket bucket, Duration retryAfter, Duration refillEvery) {
        long intervals = Math.max(1, (retryAfter.toNanos() + refillEvery.toNanos() - 1) / refillEvery.toNanos());
        long owed = intervals + bucket.getAvailableTokens(); // at or below zero: in debt for that long already
        if (owed > 0) {
            bucket.consumeIgnoringRateLimits(owed);
        }
    }
}
