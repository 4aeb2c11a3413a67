package dev.switchboard.answering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.RoutedReplies;
import dev.switchboard.answering.Conversations.OnNewMessage;
import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ForwardingSink;
import dev.switchboard.live.LiveReplies;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.live.Ticker;
import dev.switchboard.routing.ModelFactory;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.Router;
import dev.switchboard.store.JsonFileConversationStore;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.FakeProvider.Api;
import dev.switchboard.testing.FakeProvider.Script;
import dev.switchboard.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConversationsTest {

    private static final ConversationKey KEY = new ConversationKey("test", "W1", "C1", "100.000");

    @TempDir
    Path data;

    private final FakeProvider provider = FakeProvider.start();
    private final ScheduledExecutorService scheduler = Router.scheduler(2, java.lang.Thread.ofPlatform().daemon().factory());
    private final Ticker ticker = Ticker.of(scheduler);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<AutoCloseable> open = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private JsonFileConversationStore store;
    /** What the conversations are given in place of the store: the store itself unless a test looks at its calls. */
    private java.util.function.UnaryOperator<dev.switchboard.conversation.ConversationStore> wrap = s -> s;
    private Router router;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        scheduler.shutdownNow();
        provider.close();
    }

    private Conversations<ReplySurface> conversations() {
        if (store == null) {
            store = new JsonFileConversationStore(new JsonFileConversationStore.Options(data, false, false, 40_000,
                    128, 1 << 20), clock, meters);
            open.add(store);
            SwitchboardConfig config = new ConfigLoader().parse("""
                    providers:
                      main: {type: openai, api_key: test-key-000000, base_url: %s, models: [m]}
                    """.formatted(provider.baseUrl(Api.OPENAI)), "t.yaml", Map.of()).config();
            router = new Router(dev.switchboard.RouterOptionsMapping.of(config), new ModelFactory(), scheduler, clock, new Random(1), meters);
            open.add(router);
        }
        Conversations<ReplySurface> conversations = new Conversations<>(wrap.apply(store), new RoutedReplies(router,
                new LiveReplies(ticker)), clock, meters);
        open.add(conversations);
        return conversations;
    }

    private static Conversations.Policy policy(OnNewMessage onNew, int perMinute) {
        return new Conversations.Policy("BOT", onNew, new Conversations.RateLimit(perMinute, Duration.ofMinutes(1)),
                true);
    }

    private static final Conversations.Policy QUEUE = policy(OnNewMessage.QUEUE, 100);

    private Inbound message(String id, String text) {
        return new Inbound(KEY, id, "U1", "Ada", text, clock.instant(), "general");
    }

    /** A platform that accepts every write at once and keeps each message's latest text. */
    private class PlatformThread implements ChatThread<ReplySurface>, ReplySurface {
        final Map<String, String> messages = new ConcurrentHashMap<>();
        final List<ReplyOutcome> outcomes = new CopyOnWriteArrayList<>();
        final AtomicInteger ids = new AtomicInteger();
        final List<Turn> earlier;
        /** What the platform shows of an interrupted reply that the store does not list; each ask is counted. */
        volatile List<String> unnoted = List.of();
        final AtomicInteger askedForUnnoted = new AtomicInteger();
        final Budget budget = new Budget("test", 1000, Duration.ofSeconds(1), ticker);

        PlatformThread(List<Turn> earlier) {
            this.earlier = earlier;
        }

        @Override
        public ReplySurface surface() {
            return this;
        }

        @Override
        public ReplySink sink() {
            return new ReplySink() {
                @Override
                public CompletionStage<String> post(String text) {
                    String id = "m" + ids.incrementAndGet();
                    messages.put(id, text);
                    return CompletableFuture.completedFuture(id);
                }

                @Override
                public CompletionStage<Void> edit(String messageId, String text) {
                    messages.put(messageId, text);
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public CompletionStage<Void> delete(String messageId) {
                    messages.remove(messageId);
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public int maxChars() {
                    return 4000;
                }

                @Override
                public String format(String markdown) {
                    return markdown;
                }
            };
        }

        @Override
        public List<Budget> budgets() {
            return List.of(budget);
        }

        @Override
        public List<Turn> earlierTurns() {
            return earlier;
        }

        @Override
        public List<String> shownUnnoted() {
            askedForUnnoted.incrementAndGet();
            return unnoted;
        }

        @Override
        public void finished(ReplyOutcome outcome, List<String> messageIds) {
            outcomes.add(outcome);
        }
    }

    private PlatformThread thread() {
        return new PlatformThread(List.of());
    }

    private List<Turn> stored() {
        return store.load(KEY).orElseThrow().turns();
    }

    private List<String> sentTexts(int request) {
        List<String> texts = new ArrayList<>();
        for (JsonNode m : provider.received().get(request).body().get("messages")) {
            texts.add(m.get("role").asText() + ":" + m.get("content").asText());
        }
        return texts;
    }

    /** The store, writing through, with each write a user's message makes named in {@code writes}. */
    private static dev.switchboard.conversation.ConversationStore userWrites(
            dev.switchboard.conversation.ConversationStore store, List<String> writes) {
        return dev.switchboard.testing.StoreCalls.around(store, (method, args, call) -> {
            if (method.getName().startsWith("append") && ((Turn) args[1]).role() == Role.USER) {
                writes.add(method.getName() + " " + ((Turn) args[1]).text());
            } else if (method.getName().equals("putMetadata")) {
                writes.add("putMetadata " + args[1]);
            }
            return call.proceed();
        });
    }

    @Test
    void aMessageBringingItsChannelName_storesItInTheMessagesOwnWrite_onlyWhenTheConversationLacksIt() {
        List<String> writes = new CopyOnWriteArrayList<>();
        wrap = s -> userWrites(s, writes);
        provider.otherwise(r -> Script.answer("ok"));
        Conversations<ReplySurface> conversations = conversations();
        PlatformThread thread = thread();

        for (String[] m : new String[][] {{"1", "first?", "general"}, {"2", "second?", "general"},
                {"3", "third?", "renamed"}, {"4", "fourth?", ""}}) {
            conversations.submit(new Inbound(KEY, m[0], "U1", "Ada", m[1], clock.instant(), "a thread", List.of(),
                    m[2]), thread, QUEUE);
        }

        assertThat(store.load(KEY).orElseThrow().metadata()).containsEntry(ChannelNotes.NOTE, "renamed");
        await().until(() -> stored().size() == 8);
        assertThat(writes).filteredOn(w -> !w.startsWith("putMetadata shown_for"))
                .containsExactly("appendNoted first?", "append second?", "appendNoted third?", "append fourth?");
    }

    @Test
    void aMessageIsStoredAnsweredAndTheAnswerStoredAfterIt() {
        provider.enqueue(Script.answer("Four."));
        Conversations<ReplySurface> conversations = conversations();
        PlatformThread thread = thread();

        assertThat(conversations.submit(message("1", "2+2?"), thread, QUEUE)).isEqualTo(new Admission.Accepted(0));
        // Stored before submit returns: the adapter may acknowledge it.
        assertThat(stored()).extracting(Turn::text).contains("2+2?");

        await().until(() -> stored().size() == 2);
        Turn answer = stored().get(1);
        assertThat(answer.role()).isEqualTo(Role.ASSISTANT);
        assertThat(answer.text()).isEqualTo("Four.");
        assertThat(answer.assistant().replyTo()).isEqualTo("1");
        assertThat(answer.assistant().provider()).isEqualTo("main");
        assertThat(answer.messageIds()).containsExactly("m1");
        assertThat(thread.messages).containsEntry("m1", "Four.");
    }

    @Test
    void theSameMessageDeliveredAgainGetsNoSecondReplyWhileAnsweringOrAfter() {
        provider.enqueue(Script.answer("One two three four five six").paced(Duration.ofMillis(100),
                Duration.ofMillis(20)));
        Conversations<ReplySurface> conversations = conversations();
        PlatformThread thread = thread();

        assertThat(conversations.submit(message("1", "count"), thread, QUEUE)).isInstanceOf(Admission.Accepted.class);
        assertThat(conversations.submit(message("1", "count"), thread, QUEUE)).isInstanceOf(Admission.Duplicate.class);
        await().until(() -> stored().size() == 2);
        assertThat(conversations.submit(message("1", "count"), thread, QUEUE)).isInstanceOf(Admission.Duplicate.class);

        assertThat(provider.requests()).isEqualTo(1);
        assertThat(thread.messages).hasSize(1);
    }

    @Test
    void afterARestartAnAnsweredMessageIsADuplicateAndAnUnansweredOneIsAnswered() {
        provider.otherwise(r -> Script.answer("Answer."));
        Conversations<ReplySurface> first = conversations();
        first.submit(message("1", "first"), thread(), QUEUE);
        await().until(() -> stored().size() == 2);
        first.close();
        // The process stopped after storing message 2 but before answering it.
        store.append(KEY, Turn.user("U1", "Ada", "second", clock.instant(), List.of("2")));

        Conversations<ReplySurface> second = conversations();
        PlatformThread thread = thread();
        assertThat(second.submit(message("1", "first"), thread, QUEUE)).isInstanceOf(Admission.Duplicate.class);
        assertThat(second.submit(message("2", "second"), thread, QUEUE)).isInstanceOf(Admission.Accepted.class);

        await().until(() -> stored().size() == 4);
        assertThat(stored()).filteredOn(t -> t.role() == Role.USER).extracting(Turn::text)
                .containsExactly("first", "second"); // not stored twice
        assertThat(stored().get(3).assistant().replyTo()).isEqualTo("2");
        assertThat(provider.requests()).isEqualTo(2);
    }

    @Test
    void aMessageDuringAReplyWaitsAndIsAnsweredWithTheWholeExchangeAsContext() {
        provider.enqueue(Script.answer("Paris is the capital of France.").paced(Duration.ofMillis(150),
                Duration.ofMillis(30)), Script.answer("About two million."));
        Conversations<ReplySurface> conversations = conversations();
        PlatformThread thread = thread();

        conversations.submit(message("1", "Capital of France?"), thread, QUEUE);
        await().until(() -> provider.requests() == 1);
        assertThat(conversations.submit(message("2", "Population?"), thread, QUEUE))
                .isEqualTo(new Admission.Accepted(1));

        await().until(() -> stored().size() == 4);
        assertThat(sentTexts(1)).containsSubsequence("user:Capital of France?",
                "assistant:Paris is the capital of France.", "user:Population?");
        assertThat(sentTexts(1).getLast()).isEqualTo("user:Population?");
        assertThat(thread.outcomes).allMatch(o -> o instanceof ReplyOutcome.Completed);
    }

    @Test
    void withRestartANewMessageStopsTheReplyInProgress() {
        provider.enqueue(Script.answer("a b c d e f g h i j k l m n o p").paced(Duration.ofMillis(50),
                Duration.ofMillis(200)), Script.answer("Second answer."));
        Conversations<ReplySurface> conversations = conversations();
        PlatformThread thread = thread();
        Conversations.Policy restart = policy(OnNewMessage.RESTART, 100);

        conversations.submit(message("1", "long one"), thread, restart);
        await().until(() -> thread.messages.values().stream().anyMatch(t -> t.startsWith("a")));
        conversations.submit(message("2", "never mind"), thread, restart);

        await().until(() -> stored().size() == 4);
        assertThat(thread.outcomes.getFirst()).isInstanceOf(ReplyOutcome.Cancelled.class);
        assertThat(thread.outcomes.get(1)).isInstanceOf(ReplyOutcome.Completed.class);
        assertThat(thread.messages.get("m1")).endsWith("_(stopped)_");
        assertThat(thread.messages.get("m2")).isEqualTo("Second answer.");
    }

    @Test
    void howLateMessagesAreStored_isKept_forSharedThreadsToSettle() {
        MutableClock mutable = MutableClock.at("2026-11-24T10:00:00Z");
        clock = mutable;
        provider.otherwise(r -> Script.answer("ok"));
        Conversations<ReplySurface> conversations = conversations();
        assertThat(conversations.ingest().recent()).isZero();
        List<Duration> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        conversations.ingest().watch(heard::add);

        Instant written = mutable.instant();
        mutable.advance(Duration.ofMillis(640)); // delivered and stored 640 ms after the platform wrote it
        conversations.submit(new Inbound(KEY, "1", "U1", "Ada", "a", written, "general"), thread(), QUEUE);
        assertThat(conversations.ingest().recent()).isEqualTo(Duration.ofMillis(640));

        conversations.submit(new Inbound(KEY, "1", "U1", "Ada", "a", written, "general"), thread(), QUEUE);
        mutable.advance(Duration.ofSeconds(5));
        conversations.submit(new Inbound(KEY, "1", "U1", "Ada", "a", written, "general"), thread(), QUEUE);
        assertThat(conversations.ingest().recent()).as("a duplicate is not stored again, so not measured")
                .isEqualTo(Duration.ofMillis(640));
        assertThat(conversations.ingest().stored()).isEqualTo(1);
        assertThat(heard).as("each lag noted, as it is").containsExactly(Duration.ofMillis(640));
    }

    @Test
    void aUserOverTheRateLimitIsToldWhenToComeBack() {
        MutableClock mutable = MutableClock.at("2026-11-24T10:00:00Z");
        clock = mutable;
        provider.otherwise(r -> Script.answer("ok"));
        Conversations<ReplySurface> conversations = conversations();
        Conversations.Policy twoPerMinute = policy(OnNewMessage.QUEUE, 2);

        assertThat(conversations.submit(message("1", "a"), thread(), twoPerMinute)).isInstanceOf(Admission.Accepted.class);
        assertThat(conversations.submit(message("2", "b"), thread(), twoPerMinute)).isInstanceOf(Admission.Accepted.class);
        Admission third = conversations.submit(message("3", "c"), thread(), twoPerMinute);
        assertThat(third).isInstanceOf(Admission.Refused.class);
        assertThat(((Admission.Refused) third).userMessage()).contains("faster than I can answer")
                .contains("30 seconds");
        assertThat(stored()).extracting(Turn::text).doesNotContain("c");

        mutable.advance(Duration.ofSeconds(31));
        assertThat(conversations.submit(message("3", "c"), thread(), twoPerMinute)).isInstanceOf(Admission.Accepted.class);
    }

    @Test
    void deletingTheQuestionStopsItsReply() {
        provider.enqueue(Script.answer("a b c d e f g h i j k l m n o p").paced(Duration.ofMillis(50),
                Duration.ofMillis(200)));
        Conversations<ReplySurface> conversations = conversations();
        PlatformThread thread = thread();
        conversations.submit(message("1", "long one"), thread, QUEUE);
        await().until(() -> provider.activeStreams() == 1);

        assertThat(conversations.cancel(KEY, "1", "the question was deleted")).isTrue();

        await().until(() -> thread.outcomes.size() == 1);
        assertThat(thread.outcomes.getFirst()).isInstanceOf(ReplyOutcome.Cancelled.class);
        await().until(() -> provider.activeStreams() == 0);
        assertThat(conversations.cancel(KEY, "1", "again")).isFalse();
    }

    @Test
    void aThreadTheStoreDoesNotKnowIsRebuiltOnceFromThePlatform() {
        provider.otherwise(r -> Script.answer("Noted."));
        Conversations<ReplySurface> conversations = conversations();
        Instant t0 = clock.instant().minusSeconds(60);
        List<Turn> earlier = List.of(
                Turn.user("U2", "Bo", "We deploy on Fridays.", t0, List.of("a")),
                Turn.assistant("BOT", "Understood.", t0.plusSeconds(1), List.of("b"),
                        new AssistantMeta("", "", List.of(), null, null, null)),
                Turn.user("U1", "Ada", "Why did it fail?", clock.instant(), List.of("1")));

        conversations.submit(message("1", "Why did it fail?"), new PlatformThread(earlier), QUEUE);
        await().until(() -> stored().size() == 4);
        assertThat(sentTexts(0)).containsSubsequence("user:Bo: We deploy on Fridays.", "assistant:Understood.",
                "user:Ada: Why did it fail?");

        // Known now: the next message does not ask the platform again.
        conversations.submit(message("2", "And now?"), new PlatformThread(earlier), QUEUE);
        await().until(() -> stored().size() == 6);
        assertThat(stored()).filteredOn(t -> t.text().equals("We deploy on Fridays.")).hasSize(1);
    }

    @Test
    void historyPutsEachAnswerAfterItsQuestionAndStopsAtTheMessageAnswered() {
        Instant t = Instant.parse("2026-11-24T10:00:00Z");
        AssistantMeta toA = new AssistantMeta("p", "m", List.of(), null, null, null, "a");
        List<Turn> stored = List.of(
                Turn.user("U1", "", "A?", t, List.of("a")),
                Turn.user("U1", "", "B?", t.plusSeconds(2), List.of("b")),
                Turn.assistant("BOT", "A!", t.plusSeconds(1), List.of("r1"), toA),
                Turn.user("U1", "", "C?", t.plusSeconds(3), List.of("c")));

        assertThat(History.upTo(stored, "b")).extracting(Turn::text).containsExactly("A?", "A!", "B?");
        assertThat(History.upTo(stored, "a")).extracting(Turn::text).containsExactly("A?");
    }

    @Test
    void aReplyThatCannotStartStillEndsWithOneLineAndTheNextMessageIsAnswered() {
        provider.otherwise(r -> Script.answer("Fine."));
        Conversations<ReplySurface> conversations = conversations();
        PlatformThread broken = new PlatformThread(List.of()) {
            @Override
            public void working() {
                throw new IllegalStateException("status call exploded");
            }
        };
        conversations.submit(message("1", "first"), broken, QUEUE);
        await().until(() -> broken.outcomes.size() == 1);
        assertThat(broken.outcomes.getFirst()).isInstanceOf(ReplyOutcome.Failed.class);
        assertThat(broken.messages.values()).singleElement().asString().contains("went wrong on my side");

        PlatformThread fine = thread();
        conversations.submit(message("2", "second"), fine, QUEUE);
        await().until(() -> fine.outcomes.size() == 1);
        assertThat(fine.messages.values()).containsExactly("Fine.");
    }

    @Test
    void messagesLeftUnansweredByAStopAreFoundForTheAdapterToAnswer() {
        provider.otherwise(r -> Script.answer("Answer."));
        Conversations<ReplySurface> conversations = conversations();
        conversations.submit(message("1", "answered"), thread(), QUEUE);
        await().until(() -> stored().size() == 2);
        store.append(KEY, Turn.user("U1", "Ada", "left over", clock.instant(), List.of("2")));
        ConversationKey old = new ConversationKey("test", "W1", "C1", "old");
        store.append(old, Turn.user("U1", "Ada", "too old", clock.instant().minus(Duration.ofHours(2)),
                List.of("3")));

        assertThat(conversations.unanswered("test", Duration.ofHours(1)))
                .extracting(u -> u.message().text()).containsExactly("left over");
        assertThat(conversations.unanswered("other", Duration.ofHours(1))).isEmpty();
    }

    @Test
    void aSinkThatThrowsInsteadOfFailingDoesNotBlockTheThread() {
        provider.otherwise(r -> Script.answer("Fine."));
        Conversations<ReplySurface> conversations = conversations();
        PlatformThread throwing = new PlatformThread(List.of()) {
            @Override
            public ReplySink sink() {
                return new ForwardingSink(super.sink()) {
                    @Override
                    public CompletionStage<String> post(String text) {
                        throw new IllegalStateException("refused while building the request");
                    }
                };
            }
        };
        conversations.submit(message("1", "first"), throwing, QUEUE);
        await().atMost(Duration.ofSeconds(10)).until(() -> throwing.outcomes.size() == 1);

        PlatformThread fine = thread();
        conversations.submit(message("2", "second"), fine, QUEUE);
        await().until(() -> fine.outcomes.size() == 1);
        assertThat(fine.messages.values()).containsExactly("Fine.");
    }

    @Test
    void aReplyCutByACrashIsAnsweredAgainInTheMessagesItLeftNotBesideThem() {
        provider.otherwise(r -> Script.answer("The whole answer."));
        Conversations<ReplySurface> conversations = conversations();
        // As a killed process leaves it: the message stored, its reply half shown in two messages, no answer stored.
        store.append(KEY, Turn.user("U1", "Ada", "explain", clock.instant(), List.of("u1")));
        store.putMetadata(KEY, ReplyRun.shownFor("u1"), "old1,old2");
        PlatformThread platform = thread();
        platform.messages.put("old1", "The who▍");
        platform.messages.put("old2", "(continued) ▍");

        conversations.submit(message("u1", "explain"), platform, QUEUE);

        await().atMost(Duration.ofSeconds(10)).until(() -> platform.outcomes.size() == 1);
        await().until(() -> !platform.messages.containsKey("old2"));
        assertThat(platform.messages).containsExactly(Map.entry("old1", "The whole answer."));
        assertThat(platform.ids.get()).as("nothing new was posted").isZero();
        assertThat(platform.askedForUnnoted).as("the store listed them: the platform is not asked").hasValue(0);
        dev.switchboard.conversation.Conversation stored = store.load(KEY).orElseThrow();
        assertThat(stored.turns().getLast().messageIds()).containsExactly("old1");
        assertThat(stored.metadata()).doesNotContainKey(ReplyRun.shownFor("u1"));
    }

    @Test
    void aPlaceholderTheCrashLeftUnnotedIsFoundOnThePlatformWhenTheMessageComesAgain_andTheReplyContinuesInIt() {
        provider.otherwise(r -> Script.answer("The whole answer."));
        Conversations<ReplySurface> conversations = conversations();
        // As a process killed right after the platform took the placeholder leaves it: the message stored, no note.
        store.append(KEY, Turn.user("U1", "Ada", "explain", clock.instant(), List.of("u1")));
        PlatformThread platform = thread();
        platform.messages.put("old1", "_thinking…_");
        platform.unnoted = List.of("old1");

        // The platform delivers the message again (it never had the acknowledgement), to the new process.
        conversations.submit(message("u1", "explain"), platform, QUEUE);

        await().atMost(Duration.ofSeconds(10)).until(() -> platform.outcomes.size() == 1);
        assertThat(platform.messages).containsExactly(Map.entry("old1", "The whole answer."));
        assertThat(platform.ids.get()).as("nothing new was posted").isZero();
        assertThat(platform.askedForUnnoted).hasValue(1);
        assertThat(store.load(KEY).orElseThrow().turns().getLast().messageIds()).containsExactly("old1");
    }

    @Test
    void aNewMessageNeverMakesThePlatformLookForAnInterruptedReply_andAFailedLookStartsAfresh() {
        provider.otherwise(r -> Script.answer("Fine."));
        Conversations<ReplySurface> conversations = conversations();
        PlatformThread fresh = thread();
        conversations.submit(message("u1", "hi"), fresh, QUEUE);
        await().atMost(Duration.ofSeconds(10)).until(() -> fresh.outcomes.size() == 1);
        assertThat(fresh.askedForUnnoted).hasValue(0);

        store.append(KEY, Turn.user("U1", "Ada", "again", clock.instant(), List.of("u2")));
        PlatformThread failing = new PlatformThread(List.of()) {
            @Override
            public List<String> shownUnnoted() {
                throw new IllegalStateException("history unavailable");
            }
        };
        conversations.submit(message("u2", "again"), failing, QUEUE);
        await().atMost(Duration.ofSeconds(10)).until(() -> failing.outcomes.size() == 1);
        assertThat(failing.messages.values()).containsExactly("Fine.");
    }

    @Test
    void whileAReplyIsShownItsMessagesAreNotedAndTheNoteGoesWhenItIsStored() {
        provider.otherwise(r -> Script.answer("Noted.").paced(Duration.ofMillis(300), Duration.ofMillis(50)));
        Conversations<ReplySurface> conversations = conversations();
        PlatformThread platform = thread();

        conversations.submit(message("u1", "hi"), platform, QUEUE);

        await().atMost(Duration.ofSeconds(10)).until(() -> store.load(KEY).map(c -> c.metadata()
                .get(ReplyRun.shownFor("u1"))).orElse("").equals("m1"));
        await().until(() -> platform.outcomes.size() == 1);
        await().until(() -> !store.load(KEY).orElseThrow().metadata().containsKey(ReplyRun.shownFor("u1")));
        assertThat(platform.messages).containsExactly(Map.entry("m1", "Noted."));
    }

    // ---- long threads (issue 22): a summary of the older turns instead of dropping them ----

    private static final String SUMMARY = "SUMMARY-OF-THE-OLD-TURNS: Ada and the assistant planned a trip.";

    /** Replies from main (a 100,000-token window); summaries from cheap, the route's cheapest target by price. */
    private Conversations<ReplySurface> longThreadConversations(FakeProvider cheap) {
        store = new JsonFileConversationStore(new JsonFileConversationStore.Options(data, false, false, 40_000,
                128, 1 << 24), clock, meters);
        open.add(store);
        SwitchboardConfig config = new ConfigLoader().parse("""
                providers:
                  main: {type: openai, api_key: test-key-000000, base_url: %s, models: [m],
                         context_windows: {m: 100000}, prices: {m: {input: 1.0, output: 4.0}}}
                  cheap: {type: anthropic, api_key: test-key-000001, base_url: %s, models: [s],
                          context_windows: {s: 100000}, prices: {s: {input: 0.1, output: 0.4}}}
                """.formatted(provider.baseUrl(Api.OPENAI), cheap.baseUrl(Api.ANTHROPIC)), "t.yaml", Map.of())
                .config();
        router = new Router(dev.switchboard.RouterOptionsMapping.of(config), new ModelFactory(), scheduler, clock,
                new Random(1), meters);
        open.add(router);
        ThreadSummaries summaries = dev.switchboard.RoutedSummaries.of(config.routing().summaries(),
                router.summarizer(), store, Runnable::run, scheduler, clock);
        Conversations<ReplySurface> conversations = new Conversations<>(store, new RoutedReplies(router,
                new LiveReplies(ticker), summaries), clock, meters);
        open.add(conversations);
        return conversations;
    }

    /** 400 turns of 3,000 characters, a day old: far more than a 100,000-token window holds. */
    private void seedLongThread() {
        Instant start = clock.instant().minus(Duration.ofDays(1));
        for (int i = 0; i < 400; i += 2) {
            store.append(KEY, Turn.user("U1", "Ada", "old-question-" + i + " " + dev.switchboard.testing.Turns.words(i,
                    3_000), start.plusSeconds(i), List.of("seed-" + i)));
            store.append(KEY, Turn.assistant("BOT", "old-answer-" + (i + 1) + " " + dev.switchboard.testing.Turns
                    .words(i + 1, 3_000), start.plusSeconds(i + 1), List.of(), new AssistantMeta("main", "m",
                    List.of(), null, null, null, "seed-" + i)));
        }
    }

    private static boolean summaryRequest(FakeProvider.Received r) {
        return r.body().toString().contains("running summary of a chat thread");
    }

    @Test
    void aThreadOf400LongTurns_isAnsweredWithASummaryOfItsOlderTurnsAndTheRecentOnes_andTheSummaryIsStored() {
        try (FakeProvider cheap = FakeProvider.start()) {
            cheap.otherwise(r -> Script.answer(SUMMARY));
            provider.otherwise(r -> Script.answer("Noted."));
            Conversations<ReplySurface> conversations = longThreadConversations(cheap);
            seedLongThread();

            // The first answer that overflows is trimmed, not held up; the summary is written behind it.
            conversations.submit(message("1", "first new question"), thread(), QUEUE);
            await().atMost(Duration.ofSeconds(30)).until(() -> store.load(KEY).orElseThrow().turns().stream()
                    .anyMatch(t -> t.role() == Role.SUMMARY));
            assertThat(provider.received().getFirst().body().toString()).doesNotContain(SUMMARY)
                    .doesNotContain("old-question-0 ");
            List<FakeProvider.Received> summaryRequests = cheap.received();
            assertThat(summaryRequests).allMatch(ConversationsTest::summaryRequest)
                    .as("folded a window at a time").hasSizeGreaterThan(1);
            assertThat(summaryRequests.getFirst().body().toString()).contains("old-question-0 ");
            assertThat(summaryRequests.get(1).body().toString()).contains(SUMMARY);
            Turn summary = store.load(KEY).orElseThrow().turns().stream().filter(t -> t.role() == Role.SUMMARY)
                    .findFirst().orElseThrow();
            assertThat(summary.summary().provider()).isEqualTo("cheap");
            assertThat(summary.summary().throughTurn()).isBetween(300, 400);

            conversations.submit(message("2", "second new question"), thread(), QUEUE);
            await().atMost(Duration.ofSeconds(10)).until(() -> provider.requests() == 2);

            String prompt = provider.received().getLast().body().toString();
            assertThat(prompt).contains(SUMMARY).contains("[Summary of the earlier conversation, turns 1-"
                    + summary.summary().throughTurn()).contains("old-answer-399 ").contains("first new question")
                    .contains("second new question").doesNotContain("old-question-0 ").doesNotContain("old-answer-1 ")
                    .doesNotContain("old-question-200 ");
            assertThat(provider.received()).noneMatch(ConversationsTest::summaryRequest);
        }
    }

    @Test
    void aSummaryThatFails_leavesTheRepliesTrimming_andIsNotAskedForAgainWhileItWaitsToRetry() {
        try (FakeProvider cheap = FakeProvider.start()) {
            cheap.otherwise(r -> Script.fault(new FakeProvider.Fault.HttpError(500, "api_error", null)));
            provider.otherwise(r -> Script.answer("Noted."));
            Conversations<ReplySurface> conversations = longThreadConversations(cheap);
            seedLongThread();

            conversations.submit(message("1", "first new question"), thread(), QUEUE);
            await().atMost(Duration.ofSeconds(10)).until(() -> cheap.requests() == 1
                    && store.load(KEY).orElseThrow().totalTurns() == 402);
            conversations.submit(message("2", "second new question"), thread(), QUEUE);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.load(KEY).orElseThrow().totalTurns() == 404);

            String prompt = provider.received().getLast().body().toString();
            assertThat(prompt).contains("second new question").contains("old-answer-399 ")
                    .doesNotContain(SUMMARY).doesNotContain("old-question-0 ");
            assertThat(stored()).noneMatch(t -> t.role() == Role.SUMMARY).last().extracting(Turn::text)
                    .isEqualTo("Noted.");
            assertThat(cheap.requests()).as("one summary asked for; its retry waits a minute").isEqualTo(1);
        }
    }
}
