package dev.switchboard.adapter.discord;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's whole allowance of Discord REST requests, which every request passes before it is sent (JDA's own, such
 * as thread creation, typing and interaction callbacks, included; {@link GatedHttp} puts it in front of JDA's HTTP
 * client). Two rules, both Discord's:
 * <ul>
 *   <li>the global limit (50 requests a second per bot): a Bucket4j token bucket spends at most
 *       {@link #rate(int)} of it a second, smoothly, with a burst small enough that no one-second window sees more
 *       than {@link #ceiling(int)}. Interaction endpoints are not bound to the global limit, on Discord as in JDA, so
 *       they do not spend from it (their limit is per interaction; the live engine paces those writes);</li>
 *   <li>a 429 stops every request of its scope until its Retry-After has passed: {@code global} (or a 429 from
 *       Cloudflare) every request bound to the global limit, {@code shared} every request on the same resource (the
 *       channel, guild or webhook in its path), a route's own bucket ({@code user}) that route on that resource.
 *       Requests that Discord receives inside a Retry-After count toward banning the bot's address.</li>
 * </ul>
 * Requests that open something new (a thread, a message: the first visible sign of a reply) go first: while one of
 * them waits for the global allowance, other requests (edits, typing, deletes) do not take a place in it, so a burst
 * of new conversations is not queued behind the edits of the replies already streaming. Of those, a message posted
 * goes before a thread opened: the post shows a reply's first words in a thread already open, where another thread
 * would only start the next reply's wait, so a burst of questions gets its first words in the order it came instead
 * of every thread first. Within each kind, requests go in the order they came.
 * Requests wait on the calling thread (JDA's rate-limit workers). Time and waiting are injected. Thread-safe.
 */
final class RequestGate implements dev.switchboard.live.SharedBudgets.Shared {

    private static final Logger log = LoggerFactory.getLogger(RequestGate.class);
    /** Requests a second left unspent below Discord's limit: room for clock drift and for Discord's own counting. */
    private static final double MARGIN = 0.1;

    /** Waits on the caller's thread; tests pass one that moves a manual clock. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    /** Where a 429 applied. */
    enum Scope { GLOBAL, SHARED, ROUTE }

    private final Bucket global;
    private final LongSupplier nanos;
    private final Sleeper sleeper;
    private final int perSecond;
    private volatile int burst;
    /** Tells the other nodes of a cluster of a global 429. */
    volatile java.util.function.Consumer<Duration> onGlobalLimit = d -> { };
    /** On {@link #nanos}: until when a global 429 stops the requests bound to the global limit. */
    private volatile long globalUntil = Long.MIN_VALUE;
    /** Until when a shared or route 429 stops its requests, by {@link DiscordRoute#resource()} or route key. */
    private final Map<String, Long> until = new ConcurrentHashMap<>();
    /** Counts the 429s: a request that waited through a new one takes its place again rather than go at once. */
    private final AtomicLong limits = new AtomicLong();
    /** Requests that open something new waiting for the global allowance now: the others wait until none does. */
    private final java.util.concurrent.atomic.AtomicInteger opening = new java.util.concurrent.atomic.AtomicInteger();
    /** Of those, the messages being posted: threads being opened wait until none does. */
    private final java.util.concurrent.atomic.AtomicInteger posting = new java.util.concurrent.atomic.AtomicInteger();
    /** The longest other requests give way to opening ones: then they take their place in turn all the same. */
    private static final long MAX_YIELD_NANOS = 5_000_000_000L;
    /** The global allowance's pace: nanoseconds between two requests. */
    private final long intervalNanos;
    /** How late a wait for a place may end before the place is given up ({@link #takePlace}): two places. */
    private volatile long lateNanos;
    /** How often one request gives up a place it woke too late for, before it goes all the same. */
    private static final int LATE_RETAKES = 2;

    /**
     * @param perSecond the bot's global limit as Discord states it (50 unless Discord raised it)
     */
    RequestGate(int perSecond, LongSupplier nanos, Sleeper sleeper) {
        if (perSecond < 2) {
            throw new IllegalArgumentException("a global limit needs at least 2 requests a second");
        }
        this.nanos = nanos;
        this.sleeper = sleeper;
        this.perSecond = perSecond;
        int rate = rate(perSecond);
        this.burst = Math.max(1, ceiling(perSecond) - rate);
        this.intervalNanos = 1_000_000_000L / rate;
        this.lateNanos = 2 * intervalNanos;
        this.global = Bucket.builder()
                .addLimit(limit -> limit.capacity(burst).refillGreedy(rate, Duration.ofSeconds(1)))
                .withCustomTimePrecision(new TimeMeter() {
                    @Override
                    public long currentTimeNanos() {
                        return nanos.getAsLong();
                    }

                    @Override
                    public boolean isWallClockBased() {
                        return false;
                    }
                })
                .build();
    }

    /** The real clock. */
    static RequestGate of(int perSecond) {
        return new RequestGate(perSecond, System::nanoTime, java.util.concurrent.TimeUnit.NANOSECONDS::sleep);
    }

    /** Requests a second spent of a global limit of {@code perSecond}: 10 % below it. */
    static int rate(int perSecond) {
        return Math.max(1, (int) Math.floor(perSecond * (1 - MARGIN)));
    }

    /** The most requests any one second may see: rate plus burst, still below the limit. */
    static int ceiling(int perSecond) {
        return Math.max(rate(perSecond) + 1, perSecond - 2);
    }

    /**
     * Waits until {@code route} may be sent, and takes its share of the global allowance. A 429 that arrives while it
     * waits (from a request already sent) is waited out too, and the request then takes a new place.
     */
    void admit(DiscordRoute route) throws InterruptedException {
        while (true) {
            waitOut(route);
            long seen = limits.get();
            if (route.global()) {
                takeGlobal(route);
            }
            if (limits.get() == seen || blockedFor(route) <= 0) {
                return;
            }
        }
    }

    /**
     * Takes a place in the global allowance and waits for it. A message posted takes its place at once; a thread
     * opened first waits until no message is waiting to be posted; any other request until nothing that opens
     * something is waiting (each wakes when those ahead are likely served, and looks again).
     */
    private void takeGlobal(DiscordRoute route) throws InterruptedException {
        if (route.opens()) {
            boolean post = route.posts();
            opening.incrementAndGet();
            if (post) {
                posting.incrementAndGet();
            }
            try {
                if (!post) {
                    giveWay(posting);
                }
                takePlace();
            } finally {
                opening.decrementAndGet();
                if (post) {
                    posting.decrementAndGet();
                }
            }
            return;
        }
        giveWay(opening);
        takePlace();
    }

    /**
     * Takes the next place in the global allowance and waits for it. A wait that ends more than two places late (a
     * collector's pause, a saturated machine) gives its place up and takes a new one, at most twice: every request
     * whose place passed during the pause would otherwise go out at once, beside the ones on time, and that second
     * would see more than the limit. The places given up are the pause's; the pace after it stays the same.
     */
    private void takePlace() throws InterruptedException {
        for (int retakes = 0; ; retakes++) {
            long wait = global.consumeIgnoringRateLimits(1);
            long due = nanos.getAsLong() + Math.max(0, wait);
            sleepFor(wait);
            if (retakes == LATE_RETAKES || nanos.getAsLong() - due <= lateNanos) {
                return;
            }
        }
    }

    /** Waits while {@code ahead} counts requests waiting that go first, for at most {@link #MAX_YIELD_NANOS}. */
    private void giveWay(java.util.concurrent.atomic.AtomicInteger ahead) throws InterruptedException {
        int waiting;
        long yielded = 0;
        while ((waiting = ahead.get()) > 0 && yielded < MAX_YIELD_NANOS) {
            long nap = Math.min(waiting * intervalNanos, MAX_YIELD_NANOS - yielded);
            sleeper.sleep(nap);
            yielded += nap;
        }
    }

    /**
     * A request that opens something is on its way to the gate (a thread being opened, queued behind others of its
     * channel in JDA): other requests give way to it from now on. Call {@link #opened} once when it is done.
     */
    void opening() {
        opening.incrementAndGet();
    }

    /** The request announced by {@link #opening} was sent, or will not be. */
    void opened() {
        opening.decrementAndGet();
    }

    private void sleepFor(long nanos) throws InterruptedException {
        if (nanos > 0) {
            sleeper.sleep(nanos);
        }
    }

    /**
     * Whether a request that answers need not (a typing indicator) may spend now: after it, one request could still
     * go at once (so a thread being opened meanwhile still finds its place).
     */
    boolean spare() {
        return global.getAvailableTokens() >= Math.min(2, burst)
                && nanos.getAsLong() >= globalUntil;
    }

    /** Discord said 429 for {@code route}: nothing of {@code scope} goes until {@code retryAfter} has passed. */
    void limited(DiscordRoute route, Scope scope, Duration retryAfter) {
        long end = nanos.getAsLong() + retryAfter.toNanos();
        switch (scope) {
            case GLOBAL -> {
                globalUntil = Math.max(globalUntil, end);
                onGlobalLimit.accept(retryAfter);
            }
            case SHARED -> until.merge(route.resource().isEmpty() ? route.key() : route.resource(), end, Math::max);
            case ROUTE -> until.merge(route.key(), end, Math::max);
        }
        limits.incrementAndGet();
        log.warn("discord: 429 ({} scope) on {}; its requests wait {} ms", scope.name().toLowerCase(java.util.Locale.ROOT),
                route.template(), retryAfter.toMillis());
        if (until.size() > 10_000) {
            long now = nanos.getAsLong();
            until.values().removeIf(t -> t <= now);
        }
    }

    /**
     * Spends {@code 1 / nodes} of the bot's global limit from now on: the nodes of a cluster are one bot to Discord.
     * A request the bucket holds now stays.
     */
    @Override
    public void share(int nodes) {
        int share = Math.max(1, perSecond / Math.max(1, nodes));
        int rate = rate(share);
        int room = Math.max(1, ceiling(share) - rate);
        burst = room;
        lateNanos = 2 * (1_000_000_000L / rate);
        global.replaceConfiguration(io.github.bucket4j.BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(room).refillGreedy(rate, Duration.ofSeconds(1))).build(),
                io.github.bucket4j.TokensInheritanceStrategy.AS_IS);
    }

    /** Another node of the bot had a global 429: no request bound to the global limit until it has passed. */
    @Override
    public void pausedElsewhere(Duration retryAfter) {
        long end = nanos.getAsLong() + retryAfter.toNanos();
        globalUntil = Math.max(globalUntil, end);
        limits.incrementAndGet();
        log.warn("discord: another node had a global 429; requests wait {} ms", retryAfter.toMillis());
    }

    private void waitOut(DiscordRoute route) throws InterruptedException {
        long wait;
        while ((wait = blockedFor(route)) > 0) {
            sleeper.sleep(wait);
        }
    }

    /** Nanoseconds until no 429 stops {@code route}; 0 or less when none does. */
    private long blockedFor(DiscordRoute route) {
        long end = until.getOrDefault(route.key(), Long.MIN_VALUE);
        if (!route.resource().isEmpty()) {
            end = Math.max(end, until.getOrDefault(route.resource(), Long.MIN_VALUE));
        }
        if (route.global()) {
            end = Math.max(end, globalUntil);
        }
        return end == Long.MIN_VALUE ? 0 : end - nanos.getAsLong();
    }
}
