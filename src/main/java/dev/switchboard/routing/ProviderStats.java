package dev.switchboard.routing;

import dev.switchboard.conversation.ConversationKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;

/**
 * The last hour of every provider, one bucket per minute: how long each try took to its first token, how many tries
 * ended well or badly; plus the most recent fallbacks. What {@code status} and the status page show; Prometheus keeps
 * the long history. Thread-safe; each provider's buckets are guarded by their own lock.
 */
public final class ProviderStats {

    /** Minutes kept: the status page charts one hour. */
    static final int MINUTES = 60;
    /** Fallbacks kept for the status page. */
    static final int RECENT_FALLBACKS = 20;
    private static final long MAX_TRACKED_MS = Duration.ofMinutes(10).toMillis();

    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final Deque<Fallback> fallbacks = new ArrayDeque<>();

    public ProviderStats(Clock clock) {
        this.clock = clock;
    }

    /** A try that streamed to its end; {@code firstToken} from the request to its first token, null without text. */
    void succeeded(String provider, Duration firstToken) {
        window(provider).add(minuteNow(), firstToken, false);
    }

    /** A try that failed in a way that says something about the provider. */
    void failed(String provider) {
        window(provider).add(minuteNow(), null, true);
    }

    /** A reply that another target had to finish, or that nobody could answer ({@code to} null). */
    void fellBack(ConversationKey key, String channelName, String from, String failure, String to) {
        synchronized (fallbacks) {
            fallbacks.addFirst(new Fallback(clock.instant(), key.toString(), from, failure, to, channelName));
            while (fallbacks.size() > RECENT_FALLBACKS) {
                fallbacks.removeLast();
            }
        }
    }

    /** The most recent fallbacks, newest first. */
    public List<Fallback> recentFallbacks() {
        synchronized (fallbacks) {
            return List.copyOf(fallbacks);
        }
    }

    /** The last hour of one provider; zeros when it was not asked. */
    public Summary summary(String provider) {
        Window w = windows.get(provider);
        return w == null ? new Summary(0, 0, null, null) : w.summary(minuteNow());
    }

    /** One point per minute of the last hour, oldest first; minutes without tries have no latency. */
    public List<Point> series(String provider) {
        Window w = windows.get(provider);
        return w == null ? List.of() : w.series(minuteNow());
    }

    private Window window(String provider) {
        return windows.computeIfAbsent(provider, p -> new Window());
    }

    private long minuteNow() {
        return clock.millis() / 60_000;
    }

    /**
     * One provider's last hour.
     *
     * @param tries tries that ended, well or badly
     * @param failed tries that failed
     * @param firstTokenP50 median time to the first token of the good ones, or null without any
     * @param firstTokenP95 95th percentile, or null
     */
    public record Summary(long tries, long failed, Duration firstTokenP50, Duration firstTokenP95) {
        /** Failed tries as a share of all, 0 when there were none. */
        public double errorRate() {
            return tries == 0 ? 0 : (double) failed / tries;
        }
    }

    /**
     * One minute of one provider.
     *
     * @param minute its start
     * @param tries tries that ended in it
     * @param failed of which failed
     * @param p50Millis median time to the first token, or -1 without a good try
     * @param p95Millis 95th percentile, or -1
     */
    public record Point(Instant minute, long tries, long failed, long p50Millis, long p95Millis) { }

    /**
     * A reply that did not end with its first choice.
     *
     * @param at when it ended
     * @param conversation which conversation
     * @param from the targets that failed, in order ({@code provider/model})
     * @param failure why the last of them failed
     * @param to the target that answered, or null when nobody could
     * @param channelName the name of the conversation's channel; empty when the platform gave none
     */
    public record Fallback(Instant at, String conversation, String from, String failure, String to,
                           String channelName) { }

    private static final class Window {
        private final long[] minutes = new long[MINUTES];
        private final long[] tries = new long[MINUTES];
        private final long[] failed = new long[MINUTES];
        private final Histogram[] firstToken = new Histogram[MINUTES];

        Window() {
            java.util.Arrays.fill(minutes, -1);
        }

        synchronized void add(long minute, Duration firstTokenTime, boolean failure) {
            int slot = (int) (minute % MINUTES);
            if (minutes[slot] != minute) {
                minutes[slot] = minute;
                tries[slot] = 0;
                failed[slot] = 0;
                if (firstToken[slot] != null) {
                    firstToken[slot].reset();
                }
            }
            tries[slot]++;
            if (failure) {
                failed[slot]++;
            } else if (firstTokenTime != null) {
                if (firstToken[slot] == null) {
                    firstToken[slot] = new Histogram(MAX_TRACKED_MS, 2);
                }
                firstToken[slot].recordValue(Math.clamp(firstTokenTime.toMillis(), 0, MAX_TRACKED_MS));
            }
        }

        synchronized Summary summary(long now) {
            long all = 0;
            long bad = 0;
            Histogram merged = new Histogram(MAX_TRACKED_MS, 2);
            for (int slot = 0; slot < MINUTES; slot++) {
                if (minutes[slot] > now - MINUTES && minutes[slot] <= now) {
                    all += tries[slot];
                    bad += failed[slot];
                    if (firstToken[slot] != null) {
                        merged.add(firstToken[slot]);
                    }
                }
            }
            return merged.getTotalCount() == 0 ? new Summary(all, bad, null, null)
                    : new Summary(all, bad, Duration.ofMillis(merged.getValueAtPercentile(50)),
                            Duration.ofMillis(merged.getValueAtPercentile(95)));
        }

        synchronized List<Point> series(long now) {
            List<Point> out = new ArrayList<>(MINUTES);
            for (long minute = now - MINUTES + 1; minute <= now; minute++) {
                int slot = (int) (minute % MINUTES);
                Instant start = Instant.ofEpochMilli(minute * 60_000);
                if (minutes[slot] != minute) {
                    out.add(new Point(start, 0, 0, -1, -1));
                    continue;
                }
                Histogram h = firstToken[slot];
                boolean any = h != null && h.getTotalCount() > 0;
                out.add(new Point(start, tries[slot], failed[slot], any ? h.getValueAtPercentile(50) : -1,
                        any ? h.getValueAtPercentile(95) : -1));
            }
            return out;
        }
    }
}
