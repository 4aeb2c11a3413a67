package dev.switchboard.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import dev.switchboard.testing.FakeDiscord;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.PostgresDatabase;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Fault;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.FakeSlack;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak and chaos run of the packaged service (issue 8): the real {@code target/switchboard.jar}, started by the
 * README's launcher as its own process, against FakeSlack (Socket Mode), FakeDiscord (Gateway) and three fake
 * providers (primary Anthropic, secondary and tertiary OpenAI) chained as an ordered fallback route.
 *
 * <p>Users on both platforms talk at once: mentions, thread follow-ups, DMs, {@code /ask}, two users in one thread,
 * questions deleted mid-answer. Meanwhile: a SIGKILL of the service and a restart on the same config and data (Slack
 * messages keep coming while it is dead and are redelivered; Discord users pause, as Discord does not redeliver),
 * the primary refusing connections, then a 429 storm (with the secondary failing too for a while), slow tokens, an
 * in-band overload, a Slack Socket Mode drop and a Discord Gateway drop. Afterwards it prints a table and asserts:
 * every user message got exactly one complete reply or one clear error (deleted ones counted apart), no bot
 * message left over, every stored assistant turn is what the platform shows, heap after full GC within noise.
 *
 * <p>Short run (about 2–3 minutes, 20 conversations): part of {@code ./mvnw -B verify} (failsafe, after package).
 * Only this test: {@code ./mvnw -B -DskipTests package && ./mvnw -B failsafe:integration-test failsafe:verify}.
 * Long run (30 minutes of load, 200 conversations): {@code ./mvnw -B verify -Psoak-long}; or any size with
 * {@code -Dsoak.seconds=… -Dsoak.conversations=…}.
 *
 * <p>The state is on the files ({@code storage.backend: files}) unless {@code -Dsoak.backend=postgres}, which puts
 * it on a database the run creates and drops; {@code verify} runs both (the {@code soak-postgres} execution). The
 * stored conversations are read through the store port of the backend in use. On the files the run ends by copying
 * its data folder to PostgreSQL and back with {@code store copy} ({@link StoreRoundTrip}).
 */
class SoakIT {

    static final String THINKING = "_thinking…_";
    static final String CURSOR = "▍";
    static final String STOPPED = "_(stopped)_";
    private static final String[] WORDS = ("the quick brown fox jumps over a lazy dog while seven sleepy owls watch"
            + " from old oak trees near quiet rivers under pale winter skies").split(" ");

    enum Platform { SLACK, DISCORD }

    enum Kind {
        SLACK_MENTION(Platform.SLACK), SLACK_DM(Platform.SLACK), SLACK_ASK(Platform.SLACK),
        DISCORD_MENTION(Platform.DISCORD), DISCORD_DM(Platform.DISCORD), DISCORD_ASK(Platform.DISCORD);

        final Platform platform;

        Kind(Platform platform) {
            this.platform = platform;
        }
    }

    enum Phase { PLAIN, PRIMARY_DOWN, RATE_LIMITED, SLOW, OVERLOADED }

    /**
     * One user message as the driver sent it. {@code channel} is where it is (and where it is deleted), {@code place}
     * where its reply goes (Slack: channel; Discord: thread, DM channel or the interaction id for /ask).
     */
    record Sent(Kind kind, String channel, String place, String id, String user, Instant at, boolean deleteMidAnswer,
                boolean whileDead) { }

    /** Where a reply was seen, when its first words and its final text became visible. */
    record Lag(long firstMillis, long finalMillis) { }

    private final int seconds = Integer.getInteger("soak.seconds", 120);
    private final int conversations = Integer.getInteger("soak.conversations", 20);
    private final Path repo = Path.of(System.getProperty("soak.basedir", ".")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    /** A database of the run's own: the state with {@code -Dsoak.backend=postgres}, the copy's target with files. */
    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();
    private SoakStorage storage;

    private final FakeSlack slack = FakeSlack.start();
    private final FakeDiscord discord = FakeDiscord.start();
    // Request bodies carry whole histories: a long run keeps only the latest (requests() still counts all).
    private final FakeProvider primary = FakeProvider.start().keepReceived(100);
    private final FakeProvider secondary = FakeProvider.start().keepReceived(100);
    private final FakeProvider tertiary = FakeProvider.start().keepReceived(100);
    private final ScheduledExecutorService load = Executors.newScheduledThreadPool(4);
    /** Turns after which a user went on without every reply settled (after 60 s). */
    private final AtomicInteger gaveUpWaiting = new AtomicInteger();
    private final ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor();
    private ServiceProcess service;

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.PLAIN);
    private volatile boolean secondaryDown;
    private final AtomicInteger provider429s = new AtomicInteger();
    private final AtomicInteger secondary503s = new AtomicInteger();
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final Map<String, Boolean> deleted = new ConcurrentHashMap<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;
    private volatile boolean discordPaused;
    private volatile boolean asksPaused;
    private volatile boolean dead;
    private final AtomicInteger messageCounter = new AtomicInteger();
    private final Map<String, Double> fallbacksBeforeKill = new TreeMap<>();
    private volatile long startNanos;

    // Platform budgets (what the fakes enforce) and the service's own budgets inside them.
    private static final int SLACK_POSTS_PER_S = 3, SLACK_UPDATES_PER_MIN = 600;
    private static final int BUDGET_POSTS_PER_S = 2, BUDGET_UPDATES_PER_MIN = 480;
    /** Slack users who write only while the service is dead: Slack must redeliver, the service must answer. */
    private static final int DEAD_SENDERS = 3;

    @AfterEach
    void tearDown() throws InterruptedException {
        stopped = true;
        load.shutdownNow();
        chaos.shutdownNow();
        if (service != null && service.alive()) {
            service.kill();
        }
        slack.close();
        discord.close();
        primary.close();
        secondary.close();
        tertiary.close();
    }

    @Test
    void theServiceAnswersEveryMessageExactlyOnceThroughFaultsAndASigkill() throws Exception {
        storage = new SoakStorage(System.getProperty("soak.backend", "files"), dir.resolve("data"), db.url());
        world();
        int opsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            opsPort = s.getLocalPort();
        }
        Path config = writeConfig(opsPort);
        Path log = dir.resolve("service.log");
        service = new ServiceProcess(repo, config, log, opsPort);
        long t0 = System.nanoTime();
        service.start();
        System.out.printf("soak: service up in %.1f s (pid %d); %d conversations for %d s; log %s%n",
                (System.nanoTime() - t0) / 1e9, service.pid(), conversations, seconds, log);

        startNanos = System.nanoTime();
        List<Conv> convs = new ArrayList<>();
        for (int i = 0; i < conversations; i++) {
            Conv c = new Conv(i);
            convs.add(c);
            load.schedule(c::step, 50L * i % 3000, TimeUnit.MILLISECONDS);
        }
        long[] heap1 = new long[2];
        long[] heap2 = new long[2];
        long[] threads = new long[4]; // process 1 after warm-up; process 2 after warm-up, at the end, idle
        List<Map<String, Integer>> threadGroups = new ArrayList<>(List.of(Map.of(), Map.of()));
        long[] rss = new long[2];
        at(0.10, () -> {
            heap1[0] = service.heapAfterFullGc();
            threads[0] = service.procStatus("Threads");
        });
        at(0.17, () -> {
            discordPaused = true;
            asksPaused = true;
            event("discord users and /ask pause before the kill");
        });
        at(0.22, () -> {
            heap1[1] = service.heapAfterFullGc();
            rss[0] = service.procStatus("VmHWM");
            fallbacksBeforeKill.putAll(service.metricBy("switchboard_reply_fallbacks_total", "provider"));
            // Kill while replies stream, so some are cut mid-answer.
            await("a reply streaming").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> primary.activeStreams() + secondary.activeStreams() + tertiary.activeStreams() >= 2);
            dead = true;
            int streaming = primary.activeStreams() + secondary.activeStreams() + tertiary.activeStreams();
            service.kill();
            event("SIGKILL of pid " + service.pid() + " with " + streaming + " replies streaming");
            for (int k = 0; k < DEAD_SENDERS; k++) {
                String user = slackUser(conversations + 1 + k);
                String channel = slackChannel(k % channels());
                String ts = slack.post(channel, user, "<@" + FakeSlack.BOT_USER + "> asked while you were down #" + k);
                sent.add(new Sent(Kind.SLACK_MENTION, channel, channel, ts, user, Instant.now(), false, true));
                String dm = slack.dm(user, "a DM while you were down #" + k);
                sent.add(new Sent(Kind.SLACK_DM, "D" + user, "D" + user, dm, user, Instant.now(), false, true));
            }
            event((2 * DEAD_SENDERS) + " Slack messages sent while the service is dead");
            service.start();
            dead = false;
            event("restarted as pid " + service.pid());
            discordPaused = false;
            asksPaused = false;
        });
        at(0.35, () -> {
            heap2[0] = service.heapAfterFullGc();
            threads[1] = service.procStatus("Threads");
            threadGroups.set(0, service.threadGroups());
        });
        at(0.38, () -> {
            phase.set(Phase.PRIMARY_DOWN);
            primary.refuseConnections();
            event("primary refuses connections");
        });
        at(0.46, () -> {
            primary.acceptConnections();
            phase.set(Phase.RATE_LIMITED);
            event("primary back, answering 429 with Retry-After 2");
        });
        at(0.49, () -> {
            secondaryDown = true;
            event("secondary answers 503 too (tertiary carries)");
        });
        at(0.53, () -> {
            secondaryDown = false;
            event("secondary back");
        });
        at(0.56, () -> {
            phase.set(Phase.SLOW);
            event("primary streams slow tokens");
        });
        at(0.64, () -> {
            phase.set(Phase.OVERLOADED);
            event("primary sends in-band overloaded_error after 3 tokens");
        });
        at(0.72, () -> {
            phase.set(Phase.PLAIN);
            event("primary healthy");
        });
        at(0.76, () -> {
            slack.dropSockets();
            event("Slack Socket Mode sockets dropped");
        });
        at(0.84, () -> {
            discord.dropGateway();
            event("Discord Gateway dropped");
        });

        await("the load to run").atMost(Duration.ofSeconds(seconds + 300L)).pollInterval(Duration.ofSeconds(1))
                .until(() -> (System.nanoTime() - startNanos) / 1e9 >= seconds);
        stopped = true;
        event("load stops; waiting for every reply to settle");
        await("every reply to settle").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                .during(Duration.ofSeconds(3))
                .until(() -> service.metric("switchboard_chat_waiting") == 0
                        && service.metric("switchboard_chat_answering") == 0
                        && service.metric("switchboard_replies_active") == 0
                        && primary.activeStreams() + secondary.activeStreams() + tertiary.activeStreams() == 0);
        long loadEnd = System.nanoTime();
        heap2[1] = service.heapAfterFullGc();
        threads[2] = service.procStatus("Threads");
        threadGroups.set(1, service.threadGroups());
        rss[1] = service.procStatus("VmHWM");
        // Pools that grew under load give their idle threads back after a keep-alive (the JDK's carrier and
        // blocking-compensation threads after 30 s): a leak is what stays above the warm-up count.
        long idleFrom = System.nanoTime();
        try {
            await("threads back to the warm-up count").atMost(Duration.ofSeconds(75))
                    .pollInterval(Duration.ofSeconds(1)).until(() -> service.procStatus("Threads") <= threads[1]);
        } catch (org.awaitility.core.ConditionTimeoutException stillMore) {
            // printed below as it is
        }
        threads[3] = service.procStatus("Threads");
        long idleSeconds = Math.round((System.nanoTime() - idleFrom) / 1e9);
        Map<String, Double> fallbacksAfter = service.metricBy("switchboard_reply_fallbacks_total", "provider");
        int exit = service.stop();
        event("SIGTERM: exit " + exit);

        Report report = verify();
        Map<String, Double> fallbacks = new TreeMap<>(fallbacksBeforeKill);
        fallbacksAfter.forEach((k, v) -> fallbacks.merge(k, v, Double::sum));
        print(report, fallbacks, heap1, heap2, rss, (loadEnd - startNanos) / 1e9);
        printThreads(threads, threadGroups, idleSeconds);
        if (storage.backend().equals("files")) {
            // before the soak's own assertions, so a soak failure still shows whether its data copies both ways
            String copied = new StoreRoundTrip(repo, dir).check(storage);
            System.out.printf("  %-26s %s%n", "store copy round trip", copied);
        }

        assertThat(report.lost).as("user messages without any reply").isEmpty();
        assertThat(report.doubled).as("user messages with more than one reply").isEmpty();
        assertThat(report.orphans).as("bot messages no stored reply accounts for (left over, e.g. after SIGKILL)")
                .isEmpty();
        assertThat(report.mismatches).as("stored assistant turns that differ from what the platform shows")
                .isEmpty();
        assertThat(report.complete).as("complete replies").isGreaterThan(report.total / 2);
        assertThat(heap2[1]).as("heap after full GC at the end vs. the start (process after restart)")
                .isLessThanOrEqualTo((long) (heap2[0] * 1.2) + (16L << 20));
        assertThat(exit).as("graceful stop").isZero();
    }

    // ------------------------------------------------------------------------------------------------ the world

    private static String slackUser(int i) {
        return "U" + (1000 + i);
    }

    private static String discordUser(int i) {
        return Long.toString(300_000_000_000_000_000L + i);
    }

    private int channels() {
        return Math.max(2, conversations / 5);
    }

    private static String slackChannel(int j) {
        return "C" + (100 + j);
    }

    private static String discordChannel(int j) {
        return Long.toString(400_000_000_000_000_000L + j);
    }

    private void world() {
        for (int i = 0; i < conversations + 1 + DEAD_SENDERS; i++) {
            slack.user(slackUser(i), "user" + i);
            discord.user(discordUser(i), "user" + i);
        }
        for (int j = 0; j < channels(); j++) {
            slack.channel(slackChannel(j), "soak-" + j);
            discord.textChannel(discordChannel(j), "soak-" + j);
        }
        slack.limit("chat.postMessage", SLACK_POSTS_PER_S, Duration.ofSeconds(1), FakeSlack.Scope.CHANNEL)
                .limit("chat.update", SLACK_UPDATES_PER_MIN, Duration.ofMinutes(1), FakeSlack.Scope.WORKSPACE);
        primary.otherwise(r -> primaryScript(r));
        secondary.otherwise(r -> {
            if (secondaryDown) {
                secondary503s.incrementAndGet();
                return Script.fault(new Fault.HttpError(503, "server_error", null));
            }
            return answer(r);
        });
        tertiary.otherwise(this::answer);
    }

    private Script primaryScript(FakeProvider.Received r) {
        return switch (phase.get()) {
            case PLAIN, PRIMARY_DOWN -> answer(r);
            case RATE_LIMITED -> {
                provider429s.incrementAndGet();
                yield Script.fault(new Fault.HttpError(429, "rate_limit_error", 2));
            }
            case SLOW -> answer(r).paced(Duration.ofMillis(1500), Duration.ofMillis(120));
            case OVERLOADED -> new Script(answer(r).text(), Duration.ofMillis(100), Duration.ofMillis(30),
                    new Fault.InBandError(3, "overloaded_error"));
        };
    }

    /** A plain-words answer (the platforms' formatting leaves it as it is); long and slow for "[slow]" questions. */
    private Script answer(FakeProvider.Received r) {
        com.fasterxml.jackson.databind.JsonNode messages = r.body().path("messages");
        String last = messages.isArray() && !messages.isEmpty() ? messages.get(messages.size() - 1).toString() : "";
        boolean slow = last.contains("[slow]");
        int seed = Math.abs(last.hashCode());
        int words = slow ? 80 : 20 + seed % 25;
        StringBuilder text = new StringBuilder("Answer");
        for (int i = 0; i < words; i++) {
            text.append(' ').append(WORDS[(seed + i * 7) % WORDS.length]);
        }
        text.append('.');
        return Script.answer(text.toString()).paced(Duration.ofMillis(150), Duration.ofMillis(slow ? 100 : 25));
    }

    private Path writeConfig(int opsPort) throws IOException {
        Path config = dir.resolve("switchboard.yaml");
        String provider = """
                    %s:
                      type: %s
                      api_key: test-key-000000
                      base_url: %s
                      models: [m]
                      connect_timeout: 2s
                      first_token_timeout: 10s
                      idle_timeout: 10s
                      retry: {max_attempts: 2, initial_delay: 100ms, max_delay: 2s}
                      breaker: {failure_rate: 50, minimum_calls: 4, window: 10s, open_for: 3s}
                """;
        Files.writeString(config, """
                slack:
                  bot_token: %s
                  app_token: %s
                  api_url: %s
                  user_rate_limit: {messages: 1000, per: 1m}
                  post_budget: {messages: %d, per: 1s}
                  update_budget: {messages: %d, per: 1m}
                discord:
                  token: %s
                  rest_url: %s
                  gateway_url: %s
                  message_content: true
                  command_guild: "%s"
                  user_rate_limit: {messages: 1000, per: 1m}
                providers:
                %s%s%s
                routing:
                  default_route: default
                  routes:
                    default:
                      targets:
                        - {target: primary/m, priority: 0}
                        - {target: secondary/m, priority: 1}
                        - {target: tertiary/m, priority: 2}
                %s
                ops: {port: %d, drain_timeout: 10s}
                logging: {format: text, level: info}
                """.formatted(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN, slack.apiUrl(), BUDGET_POSTS_PER_S,
                BUDGET_UPDATES_PER_MIN, FakeDiscord.TOKEN, discord.restUrl(), discord.gatewayUrl(),
                FakeDiscord.GUILD,
                provider.formatted("primary", "anthropic", primary.baseUrl(Api.ANTHROPIC)),
                provider.formatted("secondary", "openai", secondary.baseUrl(Api.OPENAI)),
                provider.formatted("tertiary", "openai", tertiary.baseUrl(Api.OPENAI)),
                storage.yaml(), opsPort));
        return config;
    }

    // ------------------------------------------------------------------------------------------------ the driver

    /** A chaos step at a fraction of the load's duration, on the chaos thread (one at a time, in order). */
    private void at(double fraction, ChaosStep step) {
        chaos.schedule(() -> {
            if (stopped) {
                return;
            }
            try {
                step.run();
            } catch (Exception e) {
                event("chaos step failed: " + e);
                throw new IllegalStateException(e);
            }
        }, (long) (fraction * seconds * 1000), TimeUnit.MILLISECONDS);
    }

    @FunctionalInterface
    interface ChaosStep {
        void run() throws Exception;
    }

    private void event(String what) {
        String line = String.format("%7.1f s  %s", (System.nanoTime() - startNanos) / 1e9, what);
        events.add(line);
        System.out.println("soak: " + line);
    }

    /**
     * One conversation, driven by the load scheduler: send, poll the fake until the reply settled (or a while
     * passed), think, send the next. Every few turns a thread starts over. Never blocks a scheduler thread.
     */
    private final class Conv {
        private final int i;
        private final Kind kind;
        private final String channel;
        private int step;
        private String place;
        private String pendingAsk;
        private Instant pendingAskAt;
        private final List<Sent> mine = new ArrayList<>();
        private long waitingSince;
        /**
         * What this turn waits for: the bot messages there were before it, and how many of its questions were
         * deleted before any words showed (those may get no reply at all). Counting against all questions ever
         * sent was wrong: a deleted question's stopped or finished reply stays, so every delete let the user send
         * again without waiting, and the queue in that DM grew all run long.
         */
        private int botBefore;
        private int sentBefore;
        private int withdrawnNow;

        Conv(int i) {
            this.i = i;
            this.kind = Kind.values()[i % Kind.values().length];
            this.channel = kind.platform == Platform.SLACK ? slackChannel(i % channels())
                    : discordChannel(i % channels());
        }

        private boolean paused() {
            return kind.platform == Platform.DISCORD && discordPaused
                    || (kind == Kind.SLACK_ASK || kind == Kind.DISCORD_ASK) && asksPaused && place == null;
        }

        void step() {
            try {
                if (stopped) {
                    return;
                }
                if (paused()) {
                    load.schedule(this::step, 500, TimeUnit.MILLISECONDS);
                    return;
                }
                if (step % 6 == 0 && kind != Kind.SLACK_DM && kind != Kind.DISCORD_DM || kind == Kind.DISCORD_ASK) {
                    place = null; // a new thread (each Discord /ask is its own conversation)
                    if (asksPaused && (kind == Kind.SLACK_ASK || kind == Kind.DISCORD_ASK)) {
                        load.schedule(this::step, 500, TimeUnit.MILLISECONDS);
                        return;
                    }
                }
                botBefore = place == null ? 0 : botTexts().size();
                sentBefore = mine.size();
                withdrawnNow = 0;
                send();
                step++;
                waitingSince = System.nanoTime();
                load.schedule(this::poll, 250, TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                event("conversation " + i + " failed to send: " + e);
                load.schedule(this::step, 2, TimeUnit.SECONDS);
            }
        }

        private String question(boolean slow) {
            return "question " + i + "." + step + " #" + messageCounter.incrementAndGet() + (slow ? " [slow]" : "")
                    + " what do you think?";
        }

        private void send() {
            boolean slow = kind != Kind.SLACK_ASK && kind != Kind.DISCORD_ASK && step % 7 == 3;
            String user = kind.platform == Platform.SLACK ? slackUser(i) : discordUser(i);
            String buddy = kind.platform == Platform.SLACK ? slackUser(i + 1) : discordUser(i + 1);
            boolean threaded = kind == Kind.SLACK_MENTION || kind == Kind.SLACK_ASK || kind == Kind.DISCORD_MENTION;
            switch (kind) {
                case SLACK_MENTION -> {
                    if (place == null) {
                        String ts = slack.post(channel, user, "<@" + FakeSlack.BOT_USER + "> " + question(slow));
                        place = ts;
                        record(channel, ts, user, slow);
                    } else {
                        followUps(threaded, user, buddy, slow);
                    }
                }
                case SLACK_ASK -> {
                    if (place == null) {
                        pendingAsk = question(false);
                        pendingAskAt = Instant.now();
                        slack.slashCommand("/ask", channel, user, pendingAsk);
                    } else {
                        followUps(threaded, user, buddy, slow);
                    }
                }
                case SLACK_DM -> {
                    place = "D" + user;
                    record(place, slack.dm(user, question(slow)), user, slow);
                }
                case DISCORD_MENTION -> {
                    if (place == null) {
                        String id = discord.post(channel, user, "<@" + FakeDiscord.BOT_ID + "> " + question(slow));
                        place = id;
                        mine.add(add(new Sent(kind, channel, id, id, user, Instant.now(), slow, false)));
                    } else {
                        followUps(threaded, user, buddy, slow);
                    }
                }
                case DISCORD_DM -> {
                    place = discord.dmChannel(user);
                    String id = discord.dm(user, question(slow));
                    mine.add(add(new Sent(kind, place, place, id, user, Instant.now(), slow, false)));
                }
                case DISCORD_ASK -> {
                    String id = discord.slash("ask", channel, user, Map.of("question", question(false)));
                    place = id;
                    mine.add(add(new Sent(kind, channel, id, id, user, Instant.now(), false, false)));
                }
            }
        }

        /** In a thread: mostly the user, sometimes a second user, sometimes both at once. */
        private void followUps(boolean threaded, String user, String buddy, boolean slow) {
            if (!threaded) {
                return;
            }
            if (step % 4 == 2) {
                followUp(buddy, false);
                followUp(user, slow);
            } else if (step % 4 == 3) {
                followUp(buddy, slow);
            } else {
                followUp(user, slow);
            }
        }

        private void followUp(String user, boolean slow) {
            if (kind.platform == Platform.SLACK) {
                record(channel, slack.reply(channel, place, user, question(slow)), user, slow);
            } else {
                String id = discord.post(place, user, question(slow));
                mine.add(add(new Sent(kind, place, place, id, user, Instant.now(), slow, false)));
            }
        }

        private void record(String where, String ts, String user, boolean slow) {
            mine.add(add(new Sent(kind, where, where, ts, user, Instant.now(), slow, dead)));
        }

        private Sent add(Sent s) {
            sent.add(s);
            return s;
        }

        void poll() {
            try {
                if (pendingAsk != null) {
                    String text = "<@" + slackUser(i) + "> asked: " + pendingAsk;
                    slack.messages(channel).stream().filter(m -> m.text().equals(text)).findFirst().ifPresent(m -> {
                        place = m.ts();
                        mine.add(add(new Sent(kind, channel, channel, m.ts(), slackUser(i), pendingAskAt, false,
                                false)));
                        pendingAsk = null;
                    });
                }
                deleteMidAnswer();
                long waited = (System.nanoTime() - waitingSince) / 1_000_000;
                boolean done = pendingAsk == null && settled();
                if (!done && waited > 60_000) {
                    gaveUpWaiting.incrementAndGet();
                }
                if (!stopped && (done || waited > 60_000)) {
                    long think = 1000 + (long) ((i * 7919L + step * 104729L) % 2000);
                    load.schedule(this::step, think, TimeUnit.MILLISECONDS);
                } else if (!stopped) {
                    load.schedule(this::poll, 250, TimeUnit.MILLISECONDS);
                }
            } catch (RuntimeException e) {
                event("conversation " + i + " poll failed: " + e);
                load.schedule(this::poll, 1, TimeUnit.SECONDS);
            }
        }

        /** The slow question of this turn is deleted once its answer shows words (or after 8 s). */
        private void deleteMidAnswer() {
            for (Sent s : mine) {
                if (!s.deleteMidAnswer() || deleted.containsKey(s.id()) || dead) {
                    continue;
                }
                boolean showing = botTexts().stream().anyMatch(t -> t.endsWith(CURSOR) && !t.startsWith(THINKING));
                if (showing || Duration.between(s.at(), Instant.now()).toSeconds() >= 8) {
                    if (!showing && mine.indexOf(s) >= sentBefore) {
                        withdrawnNow++;
                    }
                    if (kind.platform == Platform.SLACK) {
                        slack.delete(s.channel(), s.id());
                    } else {
                        discord.delete(s.channel(), s.id());
                    }
                    deleted.put(s.id(), true);
                    if (s.id().equals(place)) {
                        place = null; // the thread's first message is gone, and the thread with it: start another
                    }
                }
            }
        }

        private List<String> botTexts() {
            if (place == null) {
                return List.of();
            }
            return switch (kind) {
                case SLACK_MENTION, SLACK_ASK -> slack.thread(channel, place).stream()
                        .filter(m -> FakeSlack.BOT_USER.equals(m.user()) && !m.ts().equals(place) && !m.deleted())
                        .map(FakeSlack.Message::text).toList();
                case SLACK_DM -> slack.messages("D" + slackUser(i)).stream()
                        .filter(m -> FakeSlack.BOT_USER.equals(m.user()) && !m.deleted())
                        .map(FakeSlack.Message::text).toList();
                case DISCORD_MENTION, DISCORD_DM -> discord.messages(place).stream()
                        .filter(m -> FakeDiscord.BOT_ID.equals(m.author()) && !m.deleted())
                        .map(FakeDiscord.Message::content).toList();
                case DISCORD_ASK -> {
                    FakeDiscord.Interaction it = discord.interaction(place);
                    yield it == null || it.original() == null ? List.of() : List.of(it.original());
                }
            };
        }

        /** This turn's questions have their replies (those deleted before a word aside), none still streaming. */
        private boolean settled() {
            if (place == null) {
                return true; // the thread's first message was deleted: this conversation starts another
            }
            List<String> texts = botTexts();
            int expected = botBefore + (mine.size() - sentBefore) - withdrawnNow;
            return texts.size() >= expected && texts.stream().noneMatch(SoakIT::inProgress);
        }
    }

    static boolean inProgress(String text) {
        return text.equals(THINKING) || text.endsWith(CURSOR);
    }

    // ------------------------------------------------------------------------------------------------ checking

    /** What the run found; lists name the offending messages. */
    static final class Report {
        int total;
        int complete;
        int fellBack;
        int errors;
        int deletedStopped;
        int deletedFinishedFirst;
        int deletedWithdrawn;
        int sentWhileDead;
        int answeredAfterRestart;
        final List<String> lost = new ArrayList<>();
        final List<String> doubled = new ArrayList<>();
        final List<String> orphans = new ArrayList<>();
        final List<String> mismatches = new ArrayList<>();
        final Map<Kind, Integer> byKind = new TreeMap<>();
        final List<Long> firstLag = new ArrayList<>();
        final List<Long> finalLag = new ArrayList<>();
        final Map<Platform, List<Long>> firstBy = new HashMap<>();
        final Map<Platform, List<Long>> finalBy = new HashMap<>();
    }

    /** A stored turn with its conversation. */
    private record Stored(Conversation conversation, Turn turn) { }

    private Report verify() {
        Report r = new Report();
        Map<String, List<Stored>> replies = new HashMap<>();
        Map<String, Stored> users = new HashMap<>();
        List<Stored> assistants = new ArrayList<>();
        // Through the store port of the backend the service ran on: what it stored, not what a file holds.
        storage.readConversations(store -> {
            for (String platform : List.of("slack", "discord")) {
                for (var summary : store.list(new ConversationQuery(platform, null, null, null, null))) {
                    Conversation c = store.loadComplete(summary.key()).orElseThrow();
                    for (Turn t : c.turns()) {
                        if (t.role() == Role.ASSISTANT) {
                            assistants.add(new Stored(c, t));
                            replies.computeIfAbsent(t.assistant().replyTo(), k -> new ArrayList<>())
                                    .add(new Stored(c, t));
                        } else {
                            t.messageIds().forEach(id -> users.put(id, new Stored(c, t)));
                        }
                    }
                }
            }
            return null;
        });
        Shown shown = new Shown();
        for (Sent s : sent) {
            r.total++;
            r.byKind.merge(s.kind(), 1, Integer::sum);
            if (s.whileDead()) {
                r.sentWhileDead++;
            }
            List<Stored> answers = replies.getOrDefault(s.id(), List.of());
            boolean wasDeleted = deleted.containsKey(s.id());
            String label = s.kind() + " " + s.id() + " in " + s.place();
            if (answers.size() > 1) {
                r.doubled.add(label + ": " + answers.size() + " stored replies");
                continue;
            }
            if (answers.isEmpty()) {
                if (wasDeleted) {
                    r.deletedWithdrawn++;
                } else {
                    r.lost.add(label + (users.containsKey(s.id()) ? " (stored, never answered)" : " (not stored)"));
                }
                continue;
            }
            Turn turn = answers.getFirst().turn();
            String visible = shown.text(s, turn);
            String stored = turn.text();
            boolean completed = !turn.assistant().provider().isEmpty();
            if (visible == null) {
                if (wasDeleted && turn.messageIds().isEmpty()) {
                    r.deletedWithdrawn++;
                } else {
                    r.mismatches.add(label + ": stored reply " + turn.messageIds() + " not found on the platform");
                }
                continue;
            }
            if (inProgress(visible)) {
                r.mismatches.add(label + ": reply still streaming: " + abbreviate(visible));
                continue;
            }
            if (completed) {
                String footer = "\n_answered by " + turn.assistant().provider() + "_";
                if (visible.equals(stored) || visible.equals(stored + footer)) {
                    if (wasDeleted) {
                        r.deletedFinishedFirst++;
                    } else {
                        r.complete++;
                    }
                    if (!turn.assistant().fallbacks().isEmpty()) {
                        r.fellBack++;
                    }
                    if (s.whileDead()) {
                        r.answeredAfterRestart++;
                    }
                    Lag lag = shown.lag(s, turn);
                    if (lag != null && !wasDeleted) {
                        r.firstLag.add(lag.firstMillis());
                        r.finalLag.add(lag.finalMillis());
                        r.firstBy.computeIfAbsent(s.kind().platform, k -> new ArrayList<>()).add(lag.firstMillis());
                        r.finalBy.computeIfAbsent(s.kind().platform, k -> new ArrayList<>()).add(lag.finalMillis());
                    }
                } else {
                    r.mismatches.add(label + ": shown " + abbreviate(visible) + " but stored " + abbreviate(stored));
                }
            } else if (wasDeleted && visible.endsWith(STOPPED)) {
                r.deletedStopped++;
            } else if (!visible.isBlank() && (stored.isEmpty() || visible.startsWith(stored))) {
                r.errors++; // a failure said so in the thread (after the words shown, if any)
            } else {
                r.mismatches.add(label + ": shown " + abbreviate(visible) + " but stored " + abbreviate(stored));
            }
        }
        // Every bot message on the platforms belongs to exactly one stored reply.
        java.util.Set<String> accounted = new java.util.HashSet<>();
        for (Stored a : assistants) {
            for (String id : a.turn().messageIds()) {
                accounted.add(a.conversation().key().platform() + ":" + (id.equals("@original")
                        ? "@" + a.turn().assistant().replyTo() : id.replace("channel:", "")));
            }
        }
        for (FakeSlack.Message m : slack.botMessages()) {
            if (!m.deleted() && !m.text().contains("> asked: ") && !accounted.contains("slack:" + m.ts())) {
                r.orphans.add("slack " + m.channel() + " " + m.ts() + ": " + abbreviate(m.text()));
            }
        }
        java.util.Set<String> originals = new java.util.HashSet<>();
        for (Sent s : sent) {
            if (s.kind() == Kind.DISCORD_ASK) {
                FakeDiscord.Interaction it = discord.interaction(s.id());
                if (it == null || it.original() == null) {
                    continue;
                }
                originals.add(s.channel() + "\u0000" + it.original());
                if (!accounted.contains("discord:@" + s.id())) {
                    r.orphans.add("discord /ask " + s.id() + ": " + abbreviate(it.original()));
                }
            }
        }
        for (FakeDiscord.Message m : discord.botMessages()) {
            if (!m.deleted() && !accounted.contains("discord:" + m.id())
                    && !originals.contains(m.channel() + "\u0000" + m.content())) {
                r.orphans.add("discord " + m.channel() + " " + m.id() + ": " + abbreviate(m.content()));
            }
        }
        return r;
    }

    /** What the fakes show, indexed once. */
    private final class Shown {
        private final Map<String, FakeSlack.Message> slackByTs = new HashMap<>();
        private final Map<String, FakeDiscord.Message> discordById = new HashMap<>();
        private final Map<String, List<FakeSlack.Call>> updatesByTs = new HashMap<>();
        private final Map<String, List<FakeSlack.Call>> postsByThread = new HashMap<>();
        private final Map<String, List<FakeDiscord.Call>> patchesByPath = new HashMap<>();

        Shown() {
            slack.botMessages().forEach(m -> slackByTs.put(m.ts(), m));
            discord.botMessages().forEach(m -> discordById.put(m.id(), m));
            for (FakeSlack.Call c : slack.calls()) {
                if (c.status() != 200 || c.error() != null) {
                    continue;
                }
                if (c.method().equals("chat.update")) {
                    updatesByTs.computeIfAbsent(c.params().get("ts"), k -> new ArrayList<>()).add(c);
                } else if (c.method().equals("chat.postMessage")) {
                    postsByThread.computeIfAbsent(c.params().get("channel") + "/" + c.params().get("thread_ts"),
                            k -> new ArrayList<>()).add(c);
                }
            }
            for (FakeDiscord.Call c : discord.calls()) {
                if (c.status() == 200 && c.method().equalsIgnoreCase("PATCH")) {
                    patchesByPath.computeIfAbsent(c.path(), k -> new ArrayList<>()).add(c);
                }
            }
        }

        /** The text the platform shows for a stored reply (its messages joined), or null if none is there. */
        String text(Sent s, Turn turn) {
            if (turn.messageIds().isEmpty()) {
                return null;
            }
            List<String> parts = new ArrayList<>();
            for (String id : turn.messageIds()) {
                String part;
                if (s.kind().platform == Platform.SLACK) {
                    FakeSlack.Message m = slackByTs.get(id);
                    part = m == null || m.deleted() ? null : m.text();
                } else if (id.equals("@original")) {
                    FakeDiscord.Interaction it = discord.interaction(s.id());
                    part = it == null ? null : it.original();
                } else {
                    FakeDiscord.Message m = discordById.get(id.replace("channel:", ""));
                    part = m == null || m.deleted() ? null : m.content();
                }
                if (part == null) {
                    return null;
                }
                parts.add(part);
            }
            return String.join("\n\n", parts);
        }

        /** From the user's message to the reply's first words and to its final text, from the fakes' records. */
        Lag lag(Sent s, Turn turn) {
            String id = turn.messageIds().getFirst();
            Instant first;
            Instant last;
            if (s.kind().platform == Platform.SLACK) {
                Instant posted = slackTime(id);
                List<FakeSlack.Call> updates = updatesByTs.getOrDefault(id, List.of());
                FakeSlack.Call post = postsByThread.getOrDefault(s.channel() + "/" + (s.kind() == Kind.SLACK_DM
                        ? null : slackByTs.get(id).threadTs()), List.of()).stream()
                        .min(java.util.Comparator.comparingLong(c -> Math.abs(Duration.between(c.at(), posted)
                                .toMillis()))).orElse(null);
                boolean postHadText = post != null && !THINKING.equals(post.params().get("text"));
                Instant firstUpdate = updates.stream().filter(c -> !THINKING.equals(c.params().get("text")))
                        .map(FakeSlack.Call::at).min(Instant::compareTo).orElse(posted);
                first = postHadText ? posted : firstUpdate;
                last = updates.stream().map(FakeSlack.Call::at).max(Instant::compareTo).orElse(posted);
            } else if (id.equals("@original")) {
                FakeDiscord.Interaction it = discord.interaction(s.id());
                List<FakeDiscord.Call> patches = patchesByPath.getOrDefault("webhooks/" + FakeDiscord.APP_ID + "/"
                        + it.token() + "/messages/@original", List.of());
                if (patches.isEmpty()) {
                    return null;
                }
                first = patches.getFirst().at();
                last = patches.getLast().at();
            } else {
                String mid = id.replace("channel:", "");
                first = Instant.ofEpochMilli((Long.parseLong(mid) >> 22) + 1_420_070_400_000L);
                FakeDiscord.Message m = discordById.get(mid);
                List<FakeDiscord.Call> patches = patchesByPath.getOrDefault("channels/" + m.channel() + "/messages/"
                        + mid, List.of());
                last = patches.isEmpty() ? first : patches.getLast().at();
            }
            return new Lag(Math.max(0, Duration.between(s.at(), first).toMillis()),
                    Math.max(0, Duration.between(s.at(), last).toMillis()));
        }

        private static Instant slackTime(String ts) {
            String[] p = ts.split("\\.");
            return Instant.ofEpochSecond(Long.parseLong(p[0]), Long.parseLong(p[1]) * 1000);
        }
    }

    static String abbreviate(String s) {
        String one = s.replace("\n", "\\n");
        return one.length() <= 80 ? "\"" + one + "\"" : "\"" + one.substring(0, 60) + "…" + one.substring(one.length()
                - 15) + "\"";
    }

    // ------------------------------------------------------------------------------------------------ the table

    private void print(Report r, Map<String, Double> fallbacks, long[] heap1, long[] heap2, long[] rss,
                       double loadSeconds) {
        StringBuilder out = new StringBuilder();
        out.append("\n==== Switchboard soak: ").append(conversations).append(" conversations, ").append(seconds)
                .append(" s of load, packaged jar via ./switchboard, storage.backend ").append(storage.backend())
                .append(" ====\n");
        events.forEach(e -> out.append("  ").append(e).append('\n'));
        row(out, "user messages sent", r.total + "  " + r.byKind);
        row(out, "complete replies", r.complete + "  (" + r.fellBack + " after a fallback)");
        row(out, "clear error replies", Integer.toString(r.errors));
        row(out, "deleted mid-answer", (r.deletedStopped + r.deletedFinishedFirst + r.deletedWithdrawn)
                + "  (stopped " + r.deletedStopped + ", finished before the delete " + r.deletedFinishedFirst
                + ", withdrawn before a word " + r.deletedWithdrawn + ")");
        row(out, "Slack sent while dead", r.sentWhileDead + "  (answered after restart: " + r.answeredAfterRestart
                + ")");
        row(out, "Discord sent while dead", "0  (paused by design: Discord does not redeliver)");
        row(out, "lost / doubled", r.lost.size() + " / " + r.doubled.size());
        row(out, "left-over bot messages", Integer.toString(r.orphans.size()));
        row(out, "stored != shown", Integer.toString(r.mismatches.size()));
        row(out, "provider 429s served", provider429s.get() + " (primary, Retry-After 2 s); secondary 503s "
                + secondary503s.get());
        row(out, "Slack 429s", "chat.postMessage " + slack.rateLimited("chat.postMessage") + " of "
                + slack.count("chat.postMessage") + " (budget " + BUDGET_POSTS_PER_S + "/s/channel, platform "
                + SLACK_POSTS_PER_S + "); chat.update " + slack.rateLimited("chat.update") + " of "
                + slack.count("chat.update") + " (budget " + BUDGET_UPDATES_PER_MIN + "/min, platform "
                + SLACK_UPDATES_PER_MIN + ")");
        row(out, "Discord 429s", discord.rateLimited() + " of " + discord.calls().size()
                + " REST calls (budget 5/5 s per channel, platform 5/5 s; global 50/s)");
        discord.rateLimitedByRoute().forEach((route, n) -> row(out, "", "  " + n + " " + route));
        row(out, "Discord REST calls", discord.callsByRoute().entrySet().stream().limit(6)
                .map(e -> e.getValue() + " " + e.getKey()).collect(java.util.stream.Collectors.joining(", ")));
        row(out, "lag to first words ms", percentiles(r.firstLag) + "   slack " + percentiles(
                r.firstBy.getOrDefault(Platform.SLACK, List.of())) + "   discord " + percentiles(
                r.firstBy.getOrDefault(Platform.DISCORD, List.of())));
        row(out, "lag to final text ms", percentiles(r.finalLag) + "   slack " + percentiles(
                r.finalBy.getOrDefault(Platform.SLACK, List.of())) + "   discord " + percentiles(
                r.finalBy.getOrDefault(Platform.DISCORD, List.of())));
        row(out, "fallbacks (metrics)", fallbacks.toString() + " (both processes)");
        row(out, "users who stopped waiting", gaveUpWaiting.get() + " turns (no settled reply after 60 s; the"
                + " user sends the next question anyway)");
        row(out, "replies per second", String.format("%.2f", (r.complete + r.errors) / loadSeconds));
        row(out, "heap after full GC MiB", String.format("process 1: %.1f -> %.1f   process 2 (after restart):"
                + " %.1f -> %.1f", heap1[0] / 1048576.0, heap1[1] / 1048576.0, heap2[0] / 1048576.0,
                heap2[1] / 1048576.0));
        row(out, "peak RSS (VmHWM) MiB", String.format("process 1: %.0f   process 2: %.0f", rss[0] / 1024.0,
                rss[1] / 1024.0));
        List<String> problems = new ArrayList<>();
        r.lost.forEach(p -> problems.add("LOST " + p));
        r.doubled.forEach(p -> problems.add("DOUBLED " + p));
        r.orphans.forEach(p -> problems.add("LEFT OVER " + p));
        r.mismatches.forEach(p -> problems.add("MISMATCH " + p));
        problems.stream().limit(40).forEach(p -> out.append("  ! ").append(p).append('\n'));
        if (problems.size() > 40) {
            out.append("  ! … and ").append(problems.size() - 40).append(" more\n");
        }
        System.out.println(out);
    }

    private static void printThreads(long[] threads, List<Map<String, Integer>> groups, long idleSeconds) {
        StringBuilder out = new StringBuilder();
        row(out, "platform threads", "process 1 after warm-up " + threads[0] + "; process 2 after warm-up "
                + threads[1] + ", at the end of the load " + threads[2] + ", idle " + threads[3] + " (after "
                + idleSeconds + " s)");
        Map<String, Integer> before = groups.get(0);
        Map<String, Integer> after = groups.get(1);
        java.util.Set<String> names = new java.util.TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        String changed = names.stream()
                .filter(n -> !before.getOrDefault(n, 0).equals(after.getOrDefault(n, 0)))
                .map(n -> n + " " + before.getOrDefault(n, 0) + " -> " + after.getOrDefault(n, 0))
                .collect(java.util.stream.Collectors.joining(", "));
        row(out, "  grown or shrunk", changed.isEmpty() ? "none (same pools, same sizes)" : changed);
        System.out.println(out);
    }

    static void row(StringBuilder out, String name, String value) {
        out.append(String.format("  %-26s %s%n", name, value));
    }

    static String percentiles(List<Long> values) {
        if (values.isEmpty()) {
            return "n/a";
        }
        List<Long> sorted = values.stream().sorted().toList();
        return "p50 " + rank(sorted, 50) + " / p95 " + rank(sorted, 95) + " / p99 " + rank(sorted, 99) + " (n="
                + sorted.size() + ")";
    }

    private static long rank(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
