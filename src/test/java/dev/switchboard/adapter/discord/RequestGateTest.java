package dev.switchboard.adapter.discord;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testing.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bot's global allowance and the 429 scopes, on a manual clock: a request's "sleep" moves the clock. */
class RequestGateTest {

    private final ManualTicker ticker = new ManualTicker();
    private final RequestGate gate = new RequestGate(50, ticker::nanos,
            nanos -> ticker.advance(Duration.ofNanos(nanos)));

    private static DiscordRoute route(String method, String path) {
        return DiscordRoute.of(method, List.of(("api/v10/" + path).split("/")), 2);
    }

    private static final DiscordRoute POST = route("POST", "channels/400000000000000001/messages");
    private static final DiscordRoute TYPING = route("POST", "channels/400000000000000001/typing");
    private static final DiscordRoute OTHER_CHANNEL = route("POST", "channels/400000000000000002/messages");
    private static final DiscordRoute FOLLOW_UP = route("POST", "webhooks/100000000000000001/"
            + "aW50ZXJhY3Rpb246MTIzNDU2Nzg5OmFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6");

    @Test
    void routesAreReadAsDiscordCountsThem() {
        assertThat(POST.template()).isEqualTo("POST channels/{id}/messages");
        assertThat(POST.resource()).isEqualTo("channels/400000000000000001");
        assertThat(POST.global()).isTrue();
        assertThat(FOLLOW_UP.template()).isEqualTo("POST webhooks/{id}/{token}");
        assertThat(FOLLOW_UP.global()).as("interaction endpoints are not bound to the global limit").isFalse();
        assertThat(route("POST", "interactions/500000000000000001/tok/callback").global()).isFalse();
        assertThat(route("GET", "users/@me").resource()).isEmpty();
    }

    @Test
    void noSecondEverSeesMoreThanTheCeilingAndTheRateIsNinetyPercent() throws Exception {
        long start = ticker.nanos();
        List<Long> sent = new ArrayList<>();
        for (int i = 0; i < 450; i++) {
            gate.admit(POST);
            sent.add(ticker.nanos());
        }
        assertThat(Duration.ofNanos(ticker.nanos() - start).toMillis()).as("450 requests at 45 a second")
                .isBetween(9_900L, 10_000L);
        for (int i = 0; i < sent.size(); i++) {
            long from = sent.get(i);
            long inSecond = sent.stream().filter(t -> t >= from && t < from + 1_000_000_000L).count();
            assertThat(inSecond).isLessThanOrEqualTo(48);
        }
    }

    @Test
    void requestsWokenLateByAPauseDoNotGoOutTogetherWithThoseOnTime() throws Exception {
        // 30 callers edit at once while the process stops for 300 ms (a collector's pause): the ones whose places
        // passed meanwhile all wake at its end. Time moves only when every caller waits, to the earliest wake-up.
        PausingClock clock = new PausingClock(ticker, Duration.ofSeconds(3), Duration.ofMillis(300));
        RequestGate paused = new RequestGate(50, ticker::nanos, clock::sleep);
        DiscordRoute edit = route("PATCH", "channels/400000000000000001/messages/400000000000000009");
        List<Long> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> callers = new ArrayList<>();
        for (int c = 0; c < 30; c++) {
            callers.add(clock.start(() -> {
                for (int i = 0; i < 10; i++) {
                    paused.admit(edit);
                    sent.add(ticker.nanos());
                }
            }));
        }
        clock.run(callers);

        assertThat(sent).hasSize(300);
        List<Long> times = sent.stream().sorted().toList();
        for (long from : times) {
            assertThat(times.stream().filter(t -> t >= from && t < from + 1_000_000_000L).count())
                    .as("requests in the second from %d ms", (from - times.getFirst()) / 1_000_000)
                    .isLessThanOrEqualTo(48);
        }
    }

    @Test
    void twoNodesEachSpendTheirShareAndAGlobal429ElsewhereStopsThisOneToo() throws Exception {
        List<Duration> announced = new ArrayList<>();
        gate.onGlobalLimit = announced::add;
        gate.share(2); // 25 a second each: 22 spent, at most 23 in any second
        long start = ticker.nanos();
        List<Long> sent = new ArrayList<>();
        for (int i = 0; i < 220; i++) {
            gate.admit(POST);
            sent.add(ticker.nanos());
        }
        assertThat(Duration.ofNanos(ticker.nanos() - start).toMillis()).isBetween(9_900L, 10_000L);
        for (long from : sent) {
            assertThat(sent.stream().filter(t -> t >= from && t < from + 1_000_000_000L).count())
                    .isLessThanOrEqualTo(23);
        }

        long at = ticker.nanos();
        gate.pausedElsewhere(Duration.ofSeconds(2));
        assertThat(announced).as("heard from another node: not announced again").isEmpty();
        gate.admit(OTHER_CHANNEL);
        assertThat(ticker.nanos() - at).isGreaterThanOrEqualTo(2_000_000_000L);
        gate.limited(POST, RequestGate.Scope.GLOBAL, Duration.ofSeconds(1));
        assertThat(announced).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void aGlobal429StopsEveryRequestBoundToTheGlobalLimitUntilItsRetryAfter() throws Exception {
        long at = ticker.nanos();
        gate.limited(POST, RequestGate.Scope.GLOBAL, Duration.ofSeconds(2));
        assertThat(gate.spare()).isFalse();

        gate.admit(FOLLOW_UP);
        assertThat(ticker.nanos()).as("interaction endpoints go on").isEqualTo(at);
        gate.admit(OTHER_CHANNEL);
        assertThat(ticker.nanos() - at).isGreaterThanOrEqualTo(2_000_000_000L);
    }

    @Test
    void aShared429StopsEveryRouteOnItsResourceAndARoute429OnlyThatRoute() throws Exception {
        long at = ticker.nanos();
        gate.limited(POST, RequestGate.Scope.ROUTE, Duration.ofSeconds(1));
        gate.admit(TYPING);
        gate.admit(OTHER_CHANNEL);
        assertThat(ticker.nanos() - at).as("other routes and channels go on").isLessThan(100_000_000L);
        gate.admit(POST);
        assertThat(ticker.nanos() - at).isGreaterThanOrEqualTo(1_000_000_000L);

        at = ticker.nanos();
        gate.limited(POST, RequestGate.Scope.SHARED, Duration.ofSeconds(1));
        gate.admit(OTHER_CHANNEL);
        assertThat(ticker.nanos() - at).isLessThan(100_000_000L);
        gate.admit(TYPING);
        assertThat(ticker.nanos() - at).as("the channel's other routes wait too").isGreaterThanOrEqualTo(1_000_000_000L);
    }

    @Test
    void typingIsSpareOnlyWhileTheAllowanceHasRoomBeyondOneMoreRequest() throws Exception {
        assertThat(gate.spare()).isTrue();
        gate.admit(POST);
        assertThat(gate.spare()).isTrue();
        gate.admit(POST);
        assertThat(gate.spare()).as("one request left: answers may need it").isFalse();
        ticker.advance(Duration.ofMillis(100));
        assertThat(gate.spare()).isTrue();
    }

    @Test
    void whileARequestOpeningAReplyWaitsEditsDoNotTakeAPlaceAheadOfIt() throws Exception {
        DiscordRoute edit = route("PATCH", "channels/400000000000000001/messages/400000000000000009");
        DiscordRoute thread = route("POST", "channels/400000000000000002/messages/400000000000000008/threads");
        assertThat(thread.opens()).isTrue();
        assertThat(POST.opens()).isTrue();
        assertThat(edit.opens()).isFalse();
        assertThat(TYPING.opens()).isFalse();

        assertThat(servedWhile(thread, edit, true)).as("the edit went only after the thread's request had its place")
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    void whileAMessageWaitsToBePostedAThreadDoesNotTakeAPlaceAheadOfIt() throws Exception {
        DiscordRoute thread = route("POST", "channels/400000000000000002/messages/400000000000000008/threads");
        assertThat(POST.posts()).isTrue();
        assertThat(thread.posts()).isFalse();

        assertThat(servedWhile(POST, thread, false))
                .as("the thread was opened only after the waiting post had its place").isGreaterThanOrEqualTo(3);
    }

    /**
     * Spends the burst, then lets {@code waiting} wait for its place on a thread of its own while {@code later}
     * comes; {@code waiting} is served once {@code later} has looked three times.
     *
     * @return how many times {@code later} waited before it had its place; fails if {@code waiting} was not served
     *     first
     */
    private int servedWhile(DiscordRoute waiting, DiscordRoute later, boolean typingWaits)
            throws Exception {
        java.util.concurrent.CountDownLatch firstWaits = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Thread> first = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger laterSleeps = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean counting = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean served = new java.util.concurrent.atomic.AtomicBoolean();
        RequestGate gate = new RequestGate(50, ticker::nanos, nanos -> {
            if (Thread.currentThread() == first.get()) {
                firstWaits.countDown();
                release.await(); // its place comes when the later request has looked a few times
                served.set(true);
            } else {
                if (counting.get() && laterSleeps.incrementAndGet() == 3) {
                    release.countDown();
                    first.get().join(); // however slowly its thread runs, it is served before time moves on
                }
                ticker.advance(Duration.ofNanos(nanos));
            }
        });
        for (int i = 0; i < 10; i++) {
            gate.admit(OTHER_CHANNEL); // the burst spent: the next request waits for its place
        }
        Thread t = Thread.ofPlatform().daemon().unstarted(() -> {
            try {
                gate.admit(waiting);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        first.set(t);
        t.start();
        assertThat(firstWaits.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        if (typingWaits) {
            assertThat(gate.spare()).as("typing waits too").isFalse();
        }
        counting.set(true);
        gate.admit(later);
        assertThat(served).as(waiting.template() + " served before " + later.template()).isTrue();
        t.join(10_000);
        return laterSleeps.get();
    }

    @Test
    void editsGiveWayToAnAnnouncedThreadForAtMostFiveSecondsAndGoAtOnceWhenItIsDone() throws Exception {
        DiscordRoute edit = route("PATCH", "channels/400000000000000001/messages/400000000000000009");
        long at = ticker.nanos();
        gate.opening();
        gate.admit(edit);
        assertThat(ticker.nanos() - at).as("a thread that never comes holds edits back no longer than 5 s")
                .isEqualTo(5_000_000_000L);
        gate.opened();
        at = ticker.nanos();
        gate.admit(edit);
        assertThat(ticker.nanos() - at).isLessThan(100_000_000L);
    }

    /**
     * Callers that sleep on a manual clock, moved by {@link #run} to the earliest wake-up once every caller sleeps,
     * except that the first move past {@code pauseAt} lands {@code pause} later: everyone due meanwhile wakes late.
     */
    private static final class PausingClock {
        private final ManualTicker ticker;
        private final long pauseAt;
        private final long pause;
        private final java.util.Map<Thread, Long> wakes = new java.util.HashMap<>();
        private boolean paused;

        PausingClock(ManualTicker ticker, Duration pauseAt, Duration pause) {
            this.ticker = ticker;
            this.pauseAt = ticker.nanos() + pauseAt.toNanos();
            this.pause = pause.toNanos();
        }

        interface Work {
            void run() throws InterruptedException;
        }

        Thread start(Work work) {
            Thread t = new Thread(() -> {
                try {
                    work.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    synchronized (this) {
                        notifyAll();
                    }
                }
            });
            t.start();
            return t;
        }

        synchronized void sleep(long nanos) throws InterruptedException {
            long until = ticker.nanos() + nanos;
            wakes.put(Thread.currentThread(), until);
            notifyAll();
            while (ticker.nanos() < until) {
                wait();
            }
            wakes.remove(Thread.currentThread());
        }

        void run(List<Thread> callers) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            synchronized (this) {
                while (callers.stream().anyMatch(Thread::isAlive)) {
                    assertThat(System.nanoTime()).as("the callers finish").isLessThan(deadline);
                    boolean allAsleep = callers.stream().filter(Thread::isAlive)
                            .allMatch(t -> wakes.containsKey(t) && t.getState() == Thread.State.WAITING);
                    if (!allAsleep || wakes.isEmpty()) {
                        wait(10);
                        continue;
                    }
                    long next = java.util.Collections.min(wakes.values());
                    if (!paused && next >= pauseAt) {
                        paused = true;
                        next += pause;
                    }
                    ticker.advance(Duration.ofNanos(next - ticker.nanos()));
                    notifyAll();
                    wait(1);
                }
            }
            for (Thread t : callers) {
                t.join();
            }
        }
    }
}
