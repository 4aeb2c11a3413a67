package dev.switchboard.soak;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The figures of one row of the end-to-end benchmark, worked out from what the fakes recorded: when each question
 * was asked, when each answer word left the fake provider, and every text the platform showed for the reply (with
 * its time). Nothing here talks to the service; {@link EndToEndBenchmark} collects, this class counts.
 */
final class E2eFigures {

    static final String CURSOR = " ▍";

    /**
     * One conversation as the benchmark sees it: the question's time, the answer the provider streams (its words as
     * the provider's tokens), when each token left the provider (null where it never did), every text shown for its
     * reply in time order, and the text the platform shows at the end (null when none carries the answer).
     */
    record Conversation(Instant asked, String answer, List<String> tokens, Instant[] tokenSent, List<Shown> shown,
                        String finalText) { }

    /** A text the platform showed for a reply, and when it became visible. */
    record Shown(Instant at, String text) { }

    /**
     * The measured figures of a row, in milliseconds where a time; {@code finals} each exact reply's last token and
     * how long after it the final text showed, for {@link #finalBound}.
     */
    record Figures(int conversations, int complete, int failed, long[] firstSign, long[] firstWords, long[] wordLag,
                   long[] finalAfterLastToken, long words, List<Final> finals) { }

    /** When a reply's last token left the provider, and how many milliseconds later its final text showed. */
    record Final(Instant lastToken, long millis) { }

    private E2eFigures() {
    }

    static Figures of(List<Conversation> conversations) {
        Histogram sign = histogram();
        Histogram first = histogram();
        Histogram lag = histogram();
        Histogram last = histogram();
        List<Final> finals = new ArrayList<>();
        int complete = 0;
        int failed = 0;
        for (Conversation c : conversations) {
            List<Shown> shown = c.shown().stream().sorted(Comparator.comparing(Shown::at)).toList();
            if (!shown.isEmpty()) {
                sign.recordValue(millis(c.asked(), shown.getFirst().at()));
            }
            boolean exact = c.answer().equals(c.finalText());
            if (exact) {
                complete++;
            } else if (c.finalText() == null) {
                failed++;
            }
            int seen = 0;
            for (Shown s : shown) {
                int words = visibleWords(s.text(), c.answer());
                for (int w = seen; w < words; w++) {
                    if (w == 0) {
                        first.recordValue(millis(c.asked(), s.at()));
                    }
                    Instant sent = w < c.tokenSent().length ? c.tokenSent()[w] : null;
                    if (sent != null) {
                        lag.recordValue(millis(sent, s.at()));
                    }
                }
                seen = Math.max(seen, words);
                if (exact && s.text().equals(c.answer()) && c.tokenSent().length > 0
                        && c.tokenSent()[c.tokenSent().length - 1] != null) {
                    Instant lastToken = c.tokenSent()[c.tokenSent().length - 1];
                    last.recordValue(millis(lastToken, s.at()));
                    finals.add(new Final(lastToken, millis(lastToken, s.at())));
                    break;
                }
            }
        }
        return new Figures(conversations.size(), complete, failed, percentiles(sign), percentiles(first),
                percentiles(lag), percentiles(last), lag.getTotalCount(), List.copyOf(finals));
    }

    /**
     * How many of the answer's words a shown text has: the text (without the live cursor) must be the answer's
     * beginning up to a word's end; anything else (placeholder, error, other formatting) shows none.
     */
    static int visibleWords(String text, String answer) {
        String t = text.endsWith(CURSOR) ? text.substring(0, text.length() - CURSOR.length()) : text;
        t = t.stripTrailing();
        if (t.isEmpty() || !answer.startsWith(t) || t.length() < answer.length() && answer.charAt(t.length()) != ' ') {
            return 0;
        }
        return t.split(" ").length;
    }

    private static long millis(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toMillis());
    }

    private static Histogram histogram() {
        return new Histogram(3);
    }

    /** p50, p95, p99, max; empty when nothing was recorded. */
    private static long[] percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return new long[0];
        }
        return new long[] {h.getValueAtPercentile(50), h.getValueAtPercentile(95), h.getValueAtPercentile(99),
            h.getMaxValue()};
    }

    /** "p50 / p95" in seconds with one decimal, or "n/a". */
    static String p50p95(long[] p) {
        return p.length == 0 ? "n/a" : seconds(p[0]) + " / " + seconds(p[1]);
    }

    /** "p50 / p95 / p99" in seconds, or "n/a". */
    static String p50p95p99(long[] p) {
        return p.length == 0 ? "n/a" : seconds(p[0]) + " / " + seconds(p[1]) + " / " + seconds(p[2]);
    }

    static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.2f", millis / 1000.0);
    }

    /**
     * The budgets' arithmetic bound on first words, p50 and p95 in milliseconds, for conversations asked in order
     * (conversation {@code n} in channel {@code n % channels}): each must wait for the provider's first token and for
     * its share of the budgets before its first words can be shown. Discord with threads: a thread and a post each,
     * through the bot-wide gate ({@code globalPerSecond}); without: one post through the gate and the channel's
     * 5 per 5 s. Slack: one post per channel a second (Slack's chat.postMessage; the workspace budgets are not needed
     * for a first post that carries words).
     */
    static long[] firstWordsBound(String platform, boolean threads, int k, int channels, long firstTokenMillis,
                                  int globalPerSecond) {
        return firstWordsBound(platform, threads, k, channels, firstTokenMillis, globalPerSecond, k, 0);
    }

    /**
     * The same with the provider's stream slots ({@code max_concurrent_streams}): the reply after the first
     * {@code slots} gets its first token only when an answer before it has ended ({@code answerMillis} each).
     */
    static long[] firstWordsBound(String platform, boolean threads, int k, int channels, long firstTokenMillis,
                                  int globalPerSecond, int slots, long answerMillis) {
        long[] bound = new long[k];
        for (int n = 0; n < k; n++) {
            int inChannel = n / channels;
            long b = (long) (n / slots) * answerMillis + firstTokenMillis;
            if (platform.equals("discord")) {
                int requests = threads ? 2 * (n + 1) : n + 1;
                b = Math.max(b, (requests - 1) * 1000L / globalPerSecond);
                if (!threads) {
                    b = Math.max(b, inChannel / 5 * 5000L);
                }
            } else {
                b = Math.max(b, inChannel * 1000L);
            }
            bound[n] = b;
        }
        java.util.Arrays.sort(bound);
        return new long[] {bound[(int) Math.ceil(0.5 * k) - 1], bound[(int) Math.ceil(0.95 * k) - 1]};
    }

    /**
     * The shortest time between two edits of one reply that the budgets allow when all {@code k} replies stream at
     * once, in milliseconds. Discord: each thread's 5 per 5 s (threads) or the channel's shared by its replies, and
     * the gate shared by all; Slack: chat.update, 50 a minute for the workspace, shared by all.
     */
    static long editIntervalBound(String platform, boolean threads, int k, int channels, int globalPerSecond) {
        if (platform.equals("discord")) {
            int perChannel = threads ? 1 : (int) Math.ceil((double) k / channels);
            return Math.max(perChannel * 1000L, k * 1000L / globalPerSecond);
        }
        return k * 60_000L / 50;
    }


    /**
     * The budgets' arithmetic bound on the final text, and how far each reply's final came after its own bound:
     * p50 / p95 of each, in milliseconds. Every final text is one write from a budget all replies share (Discord:
     * the live engine's share of the bot's gate; Slack: the workspace's chat.update), which serves finals before any
     * progress, one per {@code intervalNanos}; so the earliest the n-th final (by its last token) can show is when it
     * ended or one interval after the final before it, whichever is later. Where finals come further apart than
     * the interval the bound is 0: the budget has room, and only the engine and the platform stand between.
     */
    static long[][] finalBound(List<Final> finals, long intervalNanos) {
        if (finals.isEmpty()) {
            return new long[][] {{}, {}};
        }
        List<Final> byEnd = finals.stream().sorted(Comparator.comparing(Final::lastToken)).toList();
        Histogram bound = histogram();
        Histogram over = histogram();
        Instant free = Instant.MIN;
        for (Final f : byEnd) {
            Instant shows = f.lastToken().isAfter(free) ? f.lastToken() : free;
            free = shows.plusNanos(intervalNanos);
            long b = millis(f.lastToken(), shows);
            bound.recordValue(b);
            over.recordValue(Math.max(0, f.millis() - b));
        }
        return new long[][] {percentiles(bound), percentiles(over)};
    }

    static List<String> words(int n, int seed) {
        String[] pool = ("the quick brown fox jumps over a lazy dog while seven sleepy owls watch from old oak"
                + " trees near quiet rivers under pale winter skies and small boats drift by").split(" ");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(pool[(seed * 31 + i * 7) % pool.length]);
        }
        return out;
    }
}
