package dev.switchboard.live;

import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.routing.ReplyListener;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.Target;
import dev.switchboard.testing.FakeChatPlatform;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.ManualTicker;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Live replies under the platforms' budgets, in simulated time: the engine against two policies open-source bots
 * use. Run with {@code ./mvnw -B -Pbench test -Dtest=LiveBenchmark}; prints a Markdown table and writes it to
 * {@code target/benchmarks/live.md}.
 */
@Tag("benchmark")
class LiveBenchmark {

    private static final int WORDS = 300;
    private static final Duration WORD_INTERVAL = Duration.ofMillis(33); // about 30 words a second
    private static final Duration LATENCY = Duration.ofMillis(50);
    private static final String ENGINE = "Switchboard engine";
    /** Tokens delivered to a listener that writes nothing: the simulation's own cost, taken off the others. */
    private static final String HARNESS = "harness only";

    /** A platform's rules as the fake enforces them, and the budgets the engine keeps for them. */
    private record PlatformModel(String name, int maxChars, Duration minInterval) {
    }

    private static final PlatformModel SLACK = new PlatformModel("Slack-like workspace (chat.update 50/min shared)",
            3_500, Duration.ofMillis(1_200));
    private static final PlatformModel DISCORD = new PlatformModel("Discord-like bot (5 edits/5 s per channel,"
            + " 50 requests/s per bot)", 2_000, Duration.ofMillis(1_000));

    @Test
    void liveReplies() throws Exception {
        StringBuilder table = new StringBuilder("Live replies, simulated time: " + WORDS + "-word answers at ~30 words/s,"
                + " " + LATENCY.toMillis() + " ms platform latency, streams starting within 2 s.\n\n");
        table.append("| platform | streams | policy | lag p50 | lag p95 | lag p99 | edits per reply | 429s |"
                + " exact final texts | target p95 | final text after done p50 | p95 |\n"
                + "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PlatformModel platform : List.of(SLACK, DISCORD)) {
            for (int streams : new int[] {1, 10, 100, 1_000}) {
                for (String policy : List.of(ENGINE, "edit every 10 tokens", "edit once a second")) {
                    if (streams > 100 && !policy.equals(ENGINE)) {
                        // Their queues never shrink at this load: minutes of simulated time hold gigabytes of edits.
                        table.append(String.format(Locale.ROOT, "| %s | %d | %s | not run: its queue of edits grows"
                                + " without bound | | | | | | | | |%n",
                                platform == SLACK ? "Slack-like" : "Discord-like", streams, policy));
                        continue;
                    }
                    table.append(run(platform, streams, policy));
                }
            }
        }
        table.append("\nLag: from a word leaving the provider to it being visible on the platform. Target p95: the"
                + " platform's minimum interval for the budget the streams share, times the number of streams sharing"
                + " it (Slack: every stream shares the workspace's chat.update budget; Discord: each stream has its"
                + " own channel, all share the bot's 50 requests a second). Final text after done: from the provider's"
                + " end to the reply's last change on the platform.\n");
        System.out.println("\n" + table);
        Path out = Path.of("target", "benchmarks", "live.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table.toString());
    }

    /** One simulated run: what the platform shows, and what it cost the thread that ran it. */
    private record Simulation(FakeChatPlatform platform, List<String> answers, List<long[]> arrivals,
                              long cpuNanos, long allocatedBytes, long wallNanos) {
    }

    private String run(PlatformModel model, int streams, String policy) {
        Simulation sim = simulate(model, streams, policy);
        return lagRow(model, streams, policy, sim);
    }

    private Simulation simulate(PlatformModel model, int streams, String policy) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().threadId();
        long cpuBefore = threads.getCurrentThreadCpuTime();
        long allocatedBefore = threads.getThreadAllocatedBytes(self);
        long wallBefore = System.nanoTime();
        ManualTicker ticker = new ManualTicker();
        boolean slack = model == SLACK;
        FakeChatPlatform platform = new FakeChatPlatform(ticker, slack ? 50 : 5,
                slack ? Duration.ofMinutes(1) : Duration.ofSeconds(5), model.maxChars(), LATENCY, 7, 0, 0);
        if (!slack) {
            platform.limit("bot", 50, Duration.ofSeconds(1));
        }
        LiveReplies engine = new LiveReplies(ticker);
        Budget workspace = new Budget("workspace", 50, Duration.ofMinutes(1), ticker);
        Budget bot = new Budget("bot", 50, Duration.ofSeconds(1), ticker);
        SplittableRandom random = new SplittableRandom(streams);
        List<String> answers = new ArrayList<>();
        List<long[]> arrivals = new ArrayList<>();
        List<Writer> writers = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            String thread = "t" + s;
            List<String> scopes = slack ? List.of("workspace") : List.of("ch" + s, "bot");
            var sink = platform.thread(thread, scopes, text -> text);
            String answer = answer(random);
            answers.add(answer);
            Writer writer = switch (policy) {
                case ENGINE -> {
                    List<Budget> budgets = slack ? List.of(workspace)
                            : List.of(new Budget("ch" + s, 5, Duration.ofSeconds(5), ticker), bot);
                    Live live = engine.start(sink, budgets, false);
                    yield new Writer(live, () -> live.settled().isDone());
                }
                case HARNESS -> harness();
                case "edit every token" -> naive(ticker, sink, (tokens, elapsed) -> true);
                case "edit every 10 tokens" -> naive(ticker, sink, (tokens, elapsed) -> tokens % 10 == 0);
                default -> naive(ticker, sink, null);
            };
            writers.add(writer);
            List<String> tokens = FakeProvider.tokens(answer);
            long[] times = new long[tokens.size()];
            long at = random.nextInt(2_000);
            for (int i = 0; i < tokens.size(); i++) {
                at += WORD_INTERVAL.toMillis();
                String token = tokens.get(i);
                times[i] = ticker.nanos() + Duration.ofMillis(at).toNanos();
                ticker.schedule(Duration.ofMillis(at), () -> writer.listener().onToken(token));
            }
            ticker.schedule(Duration.ofMillis(at + 1), () -> writer.listener().onDone(new ReplyOutcome.Completed(
                    answer, new Target("p", "m", 0, 1), List.of(), TokenUsage.NONE, Duration.ZERO, Duration.ZERO,
                    0, 0)));
            arrivals.add(times);
        }
        // At most 40 simulated minutes: enough for 1,000 streams sharing 50 edits a minute.
        for (int step = 0; step < 24_000 && !writers.stream().allMatch(w -> w.done().getAsBoolean()); step++) {
            ticker.advance(Duration.ofMillis(100));
        }
        return new Simulation(platform, answers, arrivals, threads.getCurrentThreadCpuTime() - cpuBefore,
                threads.getThreadAllocatedBytes(self) - allocatedBefore, System.nanoTime() - wallBefore);
    }

    private String lagRow(PlatformModel model, int streams, String policy, Simulation sim) {
        boolean slack = model == SLACK;
        FakeChatPlatform platform = sim.platform();
        List<String> answers = sim.answers();
        List<long[]> arrivals = sim.arrivals();
        List<Long> lags = new ArrayList<>();
        long[] finals = new long[streams];
        int exact = 0;
        for (int s = 0; s < streams; s++) {
            String answer = answers.get(s);
            List<String> tokens = FakeProvider.tokens(answer);
            List<long[]> seen = platform.visibility("t" + s);
            long[] times = arrivals.get(s);
            int length = 0;
            int v = 0;
            for (int i = 0; i < tokens.size(); i++) {
                length += tokens.get(i).length();
                while (v < seen.size() && (seen.get(v)[1] < length || seen.get(v)[0] < times[i])) {
                    v++;
                }
                lags.add(v < seen.size() ? seen.get(v)[0] - times[i] : Long.MAX_VALUE);
            }
            // The reply ends 1 ms after its last token (see simulate).
            finals[s] = seen.isEmpty() ? Long.MAX_VALUE : seen.getLast()[0] - times[times.length - 1]
                    - Duration.ofMillis(1).toNanos();
            if (String.join("", platform.shown("t" + s)).equals(answer)) {
                exact++;
            }
        }
        long[] sorted = lags.stream().mapToLong(Long::longValue).sorted().toArray();
        java.util.Arrays.sort(finals);
        Duration target = slack ? model.minInterval().multipliedBy(streams)
                : Duration.ofMillis(Math.max(1_000, 20L * streams));
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %.1f | %d | %d %% | %s | %s | %s |%n",
                slack ? "Slack-like" : "Discord-like", streams, policy, seconds(percentile(sorted, 50)),
                seconds(percentile(sorted, 95)), seconds(percentile(sorted, 99)),
                platform.writes() / (double) streams, platform.overBudget(), exact * 100 / streams,
                seconds(target.toNanos()), seconds(percentile(finals, 50)), seconds(percentile(finals, 95)));
    }

    private static long percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

    private static String seconds(long nanos) {
        return nanos == Long.MAX_VALUE ? "never" : String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    private record Writer(ReplyListener listener, java.util.function.BooleanSupplier done) {
    }

    private static Writer harness() {
        boolean[] done = new boolean[1];
        return new Writer(new ReplyListener() {
            @Override
            public void onToken(String text) {
            }

            @Override
            public void onDone(ReplyOutcome outcome) {
                done[0] = true;
            }
        }, () -> done[0]);
    }

    /**
     * What the engine costs in CPU per reply, on the thread that runs the whole simulation (the manual ticker runs
     * every token, pacing slot and platform answer on it), against a naive policy in the same run. The harness row
     * (tokens to a listener that writes nothing) is the simulation's own cost; the engine's is the difference.
     * Run alone with {@code ./mvnw -B -o -Pbench test -Dtest='LiveBenchmark#cpuPerReply'}.
     */
    @Test
    void cpuPerReply() throws Exception {
        for (PlatformModel warmUp : List.of(SLACK, DISCORD)) {
            simulate(warmUp, 100, ENGINE);
            simulate(warmUp, 100, HARNESS);
        }
        StringBuilder table = new StringBuilder("Live engine CPU, simulated time: " + WORDS + "-word answers at ~30"
                + " words/s, all replies at once, one thread (the manual ticker's).\n\n");
        table.append("| platform | replies | policy | CPU ms per reply | of which harness | less harness |"
                + " MB allocated per reply | lag p95 | 429s | exact final texts | wall s |\n"
                + "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PlatformModel platform : List.of(DISCORD, SLACK)) {
            for (int streams : new int[] {100, 500}) {
                Simulation harness = simulate(platform, streams, HARNESS);
                for (String policy : List.of(ENGINE, "edit once a second")) {
                    if (streams > 100 && !policy.equals(ENGINE) && platform == SLACK) {
                        continue; // its queue of edits grows without bound at this load
                    }
                    Simulation sim = simulate(platform, streams, policy);
                    String[] lag = lagRow(platform, streams, policy, sim).split("\\|");
                    table.append(String.format(Locale.ROOT, "| %s | %d | %s | %.2f | %.2f | %.2f | %.2f | %s | %s | %s"
                                    + " | %.1f |%n", platform == SLACK ? "Slack-like" : "Discord-like", streams, policy,
                            sim.cpuNanos() / 1e6 / streams, harness.cpuNanos() / 1e6 / streams,
                            (sim.cpuNanos() - harness.cpuNanos()) / 1e6 / streams,
                            sim.allocatedBytes() / 1e6 / streams, lag[5].strip(), lag[8].strip(), lag[9].strip(),
                            sim.wallNanos() / 1e9));
                }
            }
        }
        System.out.println("\n" + table);
        Path out = Path.of("target", "benchmarks", "live-cpu.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table.toString());
    }

    /**
     * A reference policy as open-source bots write it: every edit is queued and sent in order (no coalescing, as
     * JDA does), a 429 is waited out and the same edit sent again. {@code editWhen} decides per token; null means
     * once a second per stream.
     */
    private Writer naive(ManualTicker ticker, dev.switchboard.live.ReplySink sink,
                         BiFunction<Integer, Long, Boolean> editWhen) {
        class Naive implements ReplyListener {
            final StringBuilder text = new StringBuilder();
            final Deque<String> queue = new ArrayDeque<>();
            String id;
            boolean busy;
            boolean finished;
            boolean settled;
            int tokens;
            boolean ticking;

            @Override
            public void onToken(String t) {
                text.append(t);
                tokens++;
                if (editWhen != null) {
                    if (editWhen.apply(tokens, 0L)) {
                        enqueue(text.toString());
                    }
                } else if (!ticking) {
                    ticking = true;
                    tick();
                }
            }

            private void tick() {
                if (finished) {
                    return;
                }
                enqueue(text.toString());
                ticker.schedule(Duration.ofSeconds(1), this::tick);
            }

            @Override
            public void onDone(ReplyOutcome outcome) {
                finished = true;
                enqueue(text.toString());
            }

            private void enqueue(String snapshot) {
                queue.addLast(snapshot);
                drain();
            }

            private void drain() {
                if (busy || queue.isEmpty()) {
                    if (!busy && queue.isEmpty() && finished) {
                        settled = true;
                    }
                    return;
                }
                busy = true;
                String next = queue.peekFirst();
                var call = id == null ? sink.post(next).thenAccept(newId -> id = newId) : sink.edit(id, next);
                call.whenComplete((ok, error) -> {
                    busy = false;
                    Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
                    if (cause instanceof ReplySink.WriteFailed failed) {
                        ticker.schedule(failed.retryAfter(), this::drain);
                        return;
                    }
                    queue.pollFirst();
                    drain();
                });
            }
        }
        Naive naive = new Naive();
        return new Writer(naive, () -> naive.settled);
    }

    private static String answer(SplittableRandom random) {
        String[] words = "the quick brown fox jumps over a lazy dog while seven wizards quietly judge boxing".split(" ");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < WORDS; i++) {
            sb.append(i == 0 ? "" : (i % 40 == 0 ? "\n\n" : " ")).append(words[random.nextInt(words.length)]);
        }
        return sb.toString();
    }
}
