package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.answering.Admission;
import dev.switchboard.answering.ChatThread;
import dev.switchboard.answering.Conversations;
import dev.switchboard.answering.Inbound;
import dev.switchboard.answering.ReplyStarter;
import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.conversation.Turn;
import dev.switchboard.live.FencedSink;
import dev.switchboard.live.ReplySink;
import dev.switchboard.store.postgres.PostgresCluster;
import dev.switchboard.store.postgres.PostgresSignals;
import dev.switchboard.store.postgres.PostgresStorage;
import dev.switchboard.testing.FakeChatPlatform;
import dev.switchboard.testing.ManualTicker;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes sharing one PostgreSQL database answer as one bot: a message delivered to both is answered once, messages
 * for a thread another node holds are answered by the holder in order, and a node that stops beating has its threads
 * taken over, its cut reply continued in the messages it had posted, within the lease and two seconds.
 */
class ClusterNodeTest {

    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final ConversationKey KEY = new ConversationKey("test", "W1", "C1", "100.000");
    private static final Conversations.Policy POLICY = new Conversations.Policy("BOT",
            Conversations.OnNewMessage.QUEUE, new Conversations.RateLimit(100, Duration.ofMinutes(1)), false);

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private final Clock clock = Clock.systemUTC();
    private final List<AutoCloseable> open = new ArrayList<>();
    /** Every reply started, on every node, in the order they started. */
    private final List<Started> started = new CopyOnWriteArrayList<>();
    /** Messages whose replies stay open until the test completes them. */
    private final Map<String, CompletableFuture<ReplyStarter.Answer>> held = new ConcurrentHashMap<>();
    private final AtomicInteger posted = new AtomicInteger();
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    /** How each reply was started, by node and message: its way to the platform goes through its lease. */
    private final Map<String, ReplyStarter.Resume> resumes = new ConcurrentHashMap<>();
    private final ManualTicker platformTime = new ManualTicker();
    /** The platform the nodes' replies write to. */
    private final FakeChatPlatform platform = new FakeChatPlatform(platformTime, 1_000, Duration.ofSeconds(1), 4_000,
            Duration.ZERO, 1, 0, 0);

    record Started(String node, String messageId, List<String> history, List<String> earlier, Instant at) { }

    /** Every stored message a node took up from the store. */
    private final List<Resumed> resumed = new CopyOnWriteArrayList<>();

    record Resumed(String node, String messageId) { }

    /** The messages the platform shows of an interrupted reply that no node noted, and each time a node asked. */
    private volatile List<String> unnoted = List.of();
    private final AtomicInteger askedForUnnoted = new AtomicInteger();

    @AfterEach
    void close() throws Exception {
        held.values().forEach(f -> f.complete(answer("closing")));
        nodes.forEach(n -> {
            if (n.paused != null) {
                n.wake();
            }
        });
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** One node: its own pool on the shared database, its own use case, its heartbeat, poll and signals. */
    private final class Node {
        final String name;
        final PostgresStorage storage;
        final ConversationStore store;
        final Conversations<String> conversations;
        final ClusterNode cluster;
        final ScheduledExecutorService scheduler;
        private CountDownLatch paused;

        Node(String name) {
            this(name, true, LEASE);
        }

        /** @param signals whether it signals and hears the other nodes; without, only the poll hands messages over */
        Node(String name, boolean signals, Duration lease) {
            this(name, signals, lease, IngestLags.Warmth.NONE);
        }

        /** @param warmth when it owns to its measured ingest lag; most tests start it warm, for settles to be short */
        Node(String name, boolean signals, Duration lease, IngestLags.Warmth warmth) {
            this.name = name;
            storage = PostgresStorage.open(db.options(), clock, new SimpleMeterRegistry());
            open.add(storage);
            store = storage.conversations(new PostgresStorage.Limits(40_000, 64, 1 << 20));
            conversations = new Conversations<>(store, new Starter(name), clock, new SimpleMeterRegistry());
            open.add(conversations);
            conversations.resumeWith(KEY.platform(), left -> {
                resumed.add(new Resumed(name, left.message().messageIds().getFirst()));
                conversations.submit(new Inbound(left.key(), left.message().messageIds().getFirst(),
                        left.message().authorId(), left.message().authorName(), left.message().text(),
                        left.message().at(), ""), thread(), POLICY);
            });
            scheduler = Executors.newScheduledThreadPool(2,
                    Thread.ofPlatform().daemon().name("cluster-" + name).factory());
            open.add(scheduler::shutdownNow);
            PostgresSignals heard = null;
            if (signals) {
                heard = storage.signals(name);
                open.add(heard);
                PostgresSignals listening = heard;
                await().atMost(Duration.ofSeconds(5)).until(listening::listening);
            }
            cluster = new ClusterNode(storage.cluster(name, lease), heard, conversations, scheduler, clock,
                    () -> "test", warmth);
            open.add(cluster);
            cluster.start();
            nodes.add(this);
        }

        /** Stalls the node as a long pause would: its heartbeat and poll stop until {@link #wake}. */
        void stall() {
            paused = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(2);
            for (int i = 0; i < 2; i++) {
                scheduler.execute(() -> {
                    blocked.countDown();
                    try {
                        paused.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> blocked.getCount() == 0);
        }

        void wake() {
            paused.countDown();
        }

        Admission submit(String messageId) {
            return submit(messageId, clock.instant());
        }

        /** @param at when the platform says the message was written */
        Admission submit(String messageId, Instant at) {
            return conversations.submit(new Inbound(KEY, messageId, "U1", "Ada", "question " + messageId, at, ""),
                    thread(), POLICY);
        }
    }

    private ChatThread<String> thread() {
        return new ChatThread<>() {
            @Override
            public String surface() {
                return "surface";
            }

            @Override
            public List<String> shownUnnoted() {
                askedForUnnoted.incrementAndGet();
                return unnoted;
            }
        };
    }

    private static ReplyStarter.Answer answer(String text) {
        return new ReplyStarter.Answer(text, List.of(), new AssistantMeta("p", "m", List.of(), TokenUsage.NONE,
                Duration.ZERO, Duration.ZERO));
    }

    /** Shows each reply as one posted message, noted as a live reply notes it; held ones wait for the test. */
    private final class Starter implements ReplyStarter<String> {
        private final String node;

        Starter(String node) {
            this.node = node;
        }

        @Override
        public StartedReply start(AnswerRequest request, String surface, Resume resume, boolean footerOnFallback) {
            Turn asked = request.history().getLast();
            String messageId = asked.messageIds().getFirst();
            resumes.put(node + "/" + messageId, resume);
            started.add(new Started(node, messageId, request.history().stream().map(Turn::text).toList(),
                    resume.earlier(), Instant.now()));
            List<String> shown = new ArrayList<>(resume.earlier());
            if (shown.isEmpty()) {
                shown.add(node + "-post-" + posted.incrementAndGet());
                resume.remember().accept(List.copyOf(shown));
            }
            CompletableFuture<Answer> answered = held.containsKey(messageId) && node.equals("a")
                    ? held.get(messageId)
                    : CompletableFuture.completedFuture(new Answer("answer to " + asked.text(), shown,
                            new AssistantMeta("p", "m", List.of(), TokenUsage.NONE, Duration.ZERO, Duration.ZERO)));
            return new StartedReply() {
                @Override
                public void cancel(String reason) {
                    answered.complete(answer("stopped"));
                }

                @Override
                public CompletableFuture<Answer> answered() {
                    return answered;
                }

                @Override
                public void finish() {
                }
            };
        }

        @Override
        public StartedReply fail(String surface, Resume resume, String userMessage) {
            throw new AssertionError("no reply should fail: " + userMessage);
        }

        @Override
        public void withdrawn(String surface, String reason) {
        }
    }

    /** The node starts a held reply to the message, which shows one message and notes it; @return that message */
    private String shownAndNoted(Node node, String messageId) {
        startHeldReply(node, messageId);
        String post = started.getFirst().node() + "-post-1";
        await().atMost(Duration.ofSeconds(5)).until(() -> node.store.loadComplete(KEY).orElseThrow().metadata()
                .containsValue(post));
        return post;
    }

    /** The second reply started: node b's, to m1, within a lease and two seconds of the first node's stop. */
    private Started takeover() {
        await().atMost(LEASE.plusSeconds(2)).until(() -> started.size() == 2);
        Started takeover = started.get(1);
        assertThat(takeover.node()).isEqualTo("b");
        assertThat(takeover.messageId()).isEqualTo("m1");
        return takeover;
    }

    /** The node starts a reply to the message that stays open until the test completes it. */
    private void startHeldReply(Node node, String messageId) {
        held.put(messageId, new CompletableFuture<>());
        int before = started.size();
        assertThat(node.submit(messageId)).isInstanceOf(Admission.Accepted.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> started.size() == before + 1);
    }

    /** Where the node's reply to the message shows: the platform, through the fence a live reply writes through. */
    private ReplySink shown(String node, String messageId) {
        return new FencedSink(platform.thread(node + "/" + messageId, "channel", text -> text),
                resumes.get(node + "/" + messageId).mayWrite());
    }

    /** The platform finishes the writes made so far. */
    private <T> T written(CompletionStage<T> write) throws Exception {
        platformTime.advance(Duration.ZERO);
        return write.toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    private List<Turn> answers(ConversationStore store) {
        return store.loadComplete(KEY).orElseThrow().turns().stream().filter(t -> t.role() == Role.ASSISTANT)
                .toList();
    }

    @Test
    void nodes_seeEachOther_withLoadAndWhatTheyServe_andADeadOneAfterTheLease() {
        Node a = new Node("a");
        Node b = new Node("b");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(a.cluster.nodes())
                .extracting(PostgresCluster.Node::nodeId, PostgresCluster.Node::alive, PostgresCluster.Node::serves)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", true, "test"),
                        org.assertj.core.groups.Tuple.tuple("b", true, "test")));

        b.cluster.stopBeating();

        await().atMost(LEASE.plusSeconds(2)).untilAsserted(() -> assertThat(a.cluster.nodes())
                .extracting(PostgresCluster.Node::nodeId, PostgresCluster.Node::alive)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", true),
                        org.assertj.core.groups.Tuple.tuple("b", false)));
        assertThat(a.cluster.nodes().get(1).sinceBeat()).isGreaterThan(LEASE);
    }

    @Test
    void aMessageDeliveredToBothNodes_isAnsweredOnce() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");

        CompletableFuture<Admission> first = CompletableFuture.supplyAsync(() -> a.submit("m1"));
        CompletableFuture<Admission> second = CompletableFuture.supplyAsync(() -> b.submit("m1"));
        assertThat(List.of(first.get(), second.get())).allMatch(x -> !(x instanceof Admission.Refused));

        await().atMost(Duration.ofSeconds(5)).until(() -> answers(a.store).size() == 1);
        // Nothing answers it a second time, neither the other node's intake nor either node's poll.
        await().during(LEASE).atMost(LEASE.plusSeconds(2)).until(() -> answers(b.store).size() == 1
                && started.size() == 1);
        assertThat(started).singleElement().extracting(Started::messageId).isEqualTo("m1");
    }

    @Test
    void messagesForAThreadAnotherNodeHolds_areAnsweredByTheHolder_inOrder() {
        Node a = new Node("a");
        Node b = new Node("b");
        startHeldReply(a, "m1");
        assertThat(b.submit("m2")).isInstanceOf(Admission.Accepted.class);
        assertThat(b.submit("m3")).isInstanceOf(Admission.Accepted.class);
        held.get("m1").complete(answer("answer to question m1"));

        await().atMost(Duration.ofSeconds(10)).until(() -> answers(b.store).size() == 3);
        assertThat(started).extracting(Started::messageId).containsExactly("m1", "m2", "m3");
        assertThat(started).extracting(Started::node).containsOnly("a");
        assertThat(resumed).isNotEmpty();
        assertThat(askedForUnnoted).as("stored while a held the thread: nobody can have started their replies, so the"
                + " platform is not asked for their messages").hasValue(0);
        // Each answer had exactly the messages and answers before it as context.
        assertThat(started.get(2).history()).containsExactly("question m1", "answer to question m1", "question m2",
                "answer to question m2", "question m3");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.cluster.threadsHeld() == 0);
    }

    @Test
    void aNodeThatDiesAfterThePlatformTookAPostItNeverNoted_hasTheTakeoverFindThatPostAndContinueInIt() {
        Node a = new Node("a");
        Node b = new Node("b");
        String cutPost = shownAndNoted(a, "m1");
        // As if a had stopped between the platform's answer and its note: the post shows, the store does not list it.
        a.store.putMetadata(KEY, Conversations.shownFor("m1"), null);
        unnoted = List.of(cutPost);

        a.cluster.stopBeating();

        Started takeover = takeover();
        assertThat(takeover.earlier()).as("found on the platform").containsExactly(cutPost);
        assertThat(askedForUnnoted).hasValue(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(answers(b.store)).singleElement()
                .satisfies(t -> assertThat(t.messageIds()).containsExactly(cutPost)));
    }

    @Test
    void aNodeThatDiesMidReply_hasItsThreadTakenOver_andTheReplyCompletedInItsMessages_withinLeasePlusTwoSeconds() {
        Node a = new Node("a");
        Node b = new Node("b");
        String cutPost = shownAndNoted(a, "m1");

        Instant killed = Instant.now();
        a.cluster.stopBeating(); // as SIGKILL would: no more beats, nothing given up

        Started takeover = takeover();
        assertThat(takeover.earlier()).containsExactly(cutPost);
        assertThat(resumed).filteredOn(r -> r.messageId().equals("m1")).isNotEmpty();
        assertThat(askedForUnnoted).as("the store lists the cut reply's message: the platform is not asked").hasValue(0);
        assertThat(Duration.between(killed, takeover.at())).isLessThan(LEASE.plusSeconds(2));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(answers(b.store)).singleElement()
                .satisfies(t -> assertThat(t.messageIds()).containsExactly(cutPost)));
    }

    @Test
    void aNodeThatStops_givesItsThreadsUp_andAnotherAnswersWhatItHadQueued() {
        Node a = new Node("a");
        Node b = new Node("b");
        startHeldReply(a, "m1");
        b.submit("m2");
        // The holder's poll queues it behind the reply it is writing.
        await().atMost(Duration.ofSeconds(5)).until(() -> a.conversations.busyWith(KEY, "m2"));

        // As the service stops on SIGTERM: the use case drains (here at once), then the node leaves.
        a.conversations.close(Duration.ZERO);
        a.cluster.close();

        await().atMost(LEASE).until(() -> answers(b.store).size() == 2);
        assertThat(started).extracting(Started::node, Started::messageId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "m1"),
                        org.assertj.core.groups.Tuple.tuple("b", "m2"));
        assertThat(b.cluster.nodes()).extracting(PostgresCluster.Node::nodeId).containsExactly("b");
    }

    @Test
    void aMessageStoredOnAnotherNode_isAnsweredBeforeOneTheHolderGetsRightAfter() {
        Node a = new Node("a");
        Node b = new Node("b");
        startHeldReply(a, "m0");
        assertThat(b.submit("m1")).isInstanceOf(Admission.Accepted.class);
        assertThat(a.submit("m2")).isInstanceOf(Admission.Accepted.class);
        held.get("m0").complete(answer("answer to question m0"));

        await().atMost(Duration.ofSeconds(10)).until(() -> answers(a.store).size() == 3);
        assertThat(started).extracting(Started::node, Started::messageId).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a", "m0"), org.assertj.core.groups.Tuple.tuple("a", "m1"),
                org.assertj.core.groups.Tuple.tuple("a", "m2"));
        assertThat(started.get(2).history()).containsExactly("question m0", "answer to question m0", "question m1",
                "answer to question m1", "question m2");
    }

    @Test
    void twoMessagesWrittenAtOnce_reachingDifferentNodes_areAnsweredInThePlatformsOrder() {
        Node a = new Node("a");
        Node b = new Node("b");
        Instant now = clock.instant();
        // m2 reaches a first, which takes the thread; m1, written a moment before it, is stored on b right after.
        assertThat(a.submit("m2", now)).isInstanceOf(Admission.Accepted.class);
        assertThat(b.submit("m1", now.minusMillis(5))).isInstanceOf(Admission.Accepted.class);

        await().atMost(Duration.ofSeconds(10)).until(() -> answers(a.store).size() == 2);
        assertThat(started).extracting(Started::node, Started::messageId).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a", "m1"), org.assertj.core.groups.Tuple.tuple("a", "m2"));
        assertThat(started.get(1).history()).containsExactly("question m1", "answer to question m1", "question m2");
    }

    @Test
    void aNodeThatStoresLate_makesTheOthersWaitLongerForTheirMessagesToSettle() {
        Node a = new Node("a");
        Node b = new Node("b");
        // b stores what reaches it 700 ms after the platform wrote it (a cold start, a pause): every node learns it.
        assertThat(b.submit("m0", clock.instant().minusMillis(700))).isInstanceOf(Admission.Accepted.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> answers(a.store).size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.cluster.settle().toMillis() >= 800);

        // m2 reaches a at once; m1, written just before it, reaches the slow b half a second later.
        Instant written = clock.instant();
        assertThat(a.submit("m2", written)).isInstanceOf(Admission.Accepted.class);
        ScheduledExecutorService late = Executors.newSingleThreadScheduledExecutor();
        open.add(late::shutdownNow);
        late.schedule(() -> b.submit("m1", written.minusMillis(5)), 500, java.util.concurrent.TimeUnit.MILLISECONDS);

        await().atMost(Duration.ofSeconds(10)).until(() -> answers(a.store).size() == 3);
        assertThat(started).extracting(Started::messageId).containsExactly("m0", "m1", "m2");
        assertThat(started.get(2).history()).contains("question m1", "answer to question m1");
    }

    @Test
    void aNodeJoiningCold_makesTheOthersWaitAsForASlowNode_atOnce_notAtTheirNextBeat() {
        Duration beatsRarely = Duration.ofSeconds(30); // their next beat is ten seconds away: only the signal tells
        Node a = new Node("a", true, beatsRarely);
        assertThat(a.cluster.settle()).isEqualTo(Leases.SETTLE);

        IngestLags.Warmth cold = new IngestLags.Warmth(Duration.ofMillis(900), 2, Duration.ofMinutes(1));
        Node b = new Node("b", true, beatsRarely, cold);
        assertThat(b.cluster.settle()).as("a cold node's own replies wait for it too").isEqualTo(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(3)).until(() -> a.cluster.settle().equals(Duration.ofSeconds(1)));
    }

    @Test
    void aNodeStoringLaterThanItLastTold_tellsTheOthersAtOnce_notAtItsNextBeat() {
        Duration beatsRarely = Duration.ofSeconds(30);
        Node a = new Node("a", true, beatsRarely);
        Node b = new Node("b", true, beatsRarely);
        assertThat(a.cluster.settle()).isEqualTo(Leases.SETTLE);

        assertThat(b.submit("m0", clock.instant().minusMillis(700))).isInstanceOf(Admission.Accepted.class);

        await().atMost(Duration.ofSeconds(3)).until(() -> a.cluster.settle().toMillis() >= 800);
    }

    @Test
    void withTheSignalLost_theHolderStillAnswersTheEarlierStoredMessageFirst() {
        Duration slowPoll = Duration.ofSeconds(30); // its poll (every second) does not come first either
        Node a = new Node("a", false, slowPoll);
        Node b = new Node("b", false, slowPoll);
        startHeldReply(a, "m0");
        assertThat(b.submit("m1")).isInstanceOf(Admission.Accepted.class);
        assertThat(a.submit("m2")).isInstanceOf(Admission.Accepted.class);
        assertThat(a.conversations.busyWith(KEY, "m1")).isFalse();
        held.get("m0").complete(answer("answer to question m0"));

        await().atMost(Duration.ofSeconds(10)).until(() -> answers(a.store).size() == 3);
        assertThat(started).extracting(Started::messageId).containsExactly("m0", "m1", "m2");
        assertThat(started).extracting(Started::node).containsOnly("a");
        assertThat(started.get(2).history()).contains("question m1", "answer to question m1");
    }

    @Test
    void aMessageStoredOnAnotherNode_reachesTheHolderAtOnce_notAtItsNextPoll() {
        Duration slowPoll = Duration.ofSeconds(9); // polls every second
        Node a = new Node("a", true, slowPoll);
        Node b = new Node("b", true, slowPoll);
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            startHeldReply(a, "h" + i);
            long stored = System.nanoTime();
            assertThat(b.submit("n" + i)).isInstanceOf(Admission.Accepted.class);
            String waiting = "n" + i;
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2))
                    .until(() -> a.conversations.busyWith(KEY, waiting));
            millis.add((System.nanoTime() - stored) / 1_000_000);
            held.get("h" + i).complete(answer("answer to question h" + i));
            int answered = 2 * (i + 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> answers(a.store).size() == answered);
        }
        List<Long> sorted = millis.stream().sorted().toList();
        System.out.printf("hand-over (stored on b -> queued on the holder a), ms: p50 %d, max %d, all %s%n",
                sorted.get(sorted.size() / 2), sorted.getLast(), millis);
        assertThat(sorted.get(sorted.size() / 2)).isLessThan(250);
        assertThat(started).extracting(Started::node).containsOnly("a");
    }

    @Test
    void aNodeStalledPastItsLease_writesAndStoresNothingMore_afterAnotherTookItsThreadOver() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");
        startHeldReply(a, "m1");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.store.loadComplete(KEY).orElseThrow().metadata()
                .containsValue("a-post-1"));
        ReplySink shown = shown("a", "m1");
        String streaming = written(shown.post("streaming"));

        a.stall(); // as a long pause would: no beats, no polls; the reply itself still runs
        await().atMost(LEASE.plusSeconds(2)).until(() -> started.size() == 2);
        assertThat(started.get(1)).extracting(Started::node, Started::messageId, Started::earlier)
                .containsExactly("b", "m1", List.of("a-post-1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> answers(b.store).size() == 1);

        // Stalled past its lease, it writes nothing until a heartbeat says whether the thread is still its own.
        CompletableFuture<Void> late = shown.edit(streaming, "still streaming").toCompletableFuture();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> !late.isDone());
        a.wake();
        await().atMost(Duration.ofSeconds(5)).until(late::isDone);
        assertThat(late).failsWithin(Duration.ZERO).withThrowableThat().havingCause()
                .isInstanceOf(ReplySink.WriteFailed.class);
        // Its reply ends; its answer is refused by the store.
        held.get("m1").complete(answer("a's late answer"));

        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> answers(a.store).size() == 1);
        assertThat(answers(a.store)).singleElement().satisfies(t -> {
            assertThat(t.text()).isEqualTo("answer to question m1");
            assertThat(t.messageIds()).containsExactly("a-post-1");
        });
        platformTime.advance(Duration.ZERO);
        assertThat(platform.writes()).isEqualTo(1);
        assertThat(platform.shown("a/m1")).containsExactly("streaming");
        assertThat(started).hasSize(2);
    }

    @Test
    void theSharedPoll_isQuiet_aboutAMessageThisNodeCannotAnswer() {
        Node a = new Node("a");
        // As Discord leaves a message in a channel this node does not see (another node's shard): not taken.
        a.conversations.resumeWith("unseen", left -> { });
        ConversationKey elsewhere = new ConversationKey("unseen", "G1", "C9", "C9");
        a.store.append(elsewhere, Turn.user("U1", "Ada", "hello", clock.instant(), List.of("x1"), List.of()));
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(ClusterNode.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            // Three polls and more, each offering the message again.
            await().during(LEASE).atMost(LEASE.plusSeconds(2)).until(() -> logs.list.stream()
                    .noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.INFO)));
        } finally {
            logger.detachAppender(logs);
        }
    }
}
