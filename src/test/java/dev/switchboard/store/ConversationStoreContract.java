package dev.switchboard.store;

import static dev.switchboard.testing.Turns.assistant;
import static dev.switchboard.testing.Turns.slackKey;
import static dev.switchboard.testing.Turns.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationExport;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.ConversationSummary;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.SeenMessages.Pending;
import dev.switchboard.conversation.SeenMessages.Seen;
import dev.switchboard.conversation.SummaryMeta;
import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.TurnRejectedException;
import dev.switchboard.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ConversationStore} guarantees, whatever keeps the data. A backend's test extends this and says
 * how to open its store; each {@link #open} is a fresh instance on the same data, as after a restart.
 */
abstract class ConversationStoreContract {

    protected final MutableClock clock = MutableClock.at("2026-03-15T10:00:00Z");
    private final List<ConversationStore> opened = new ArrayList<>();

    /**
     * A fresh store on this test's data.
     *
     * @param maxTurnChars longest turn text accepted
     * @param recentTurns turns {@code load} keeps at hand before older ones are archived
     */
    protected abstract ConversationStore create(int maxTurnChars, int recentTurns);

    /** Fails unless the only threads stored, in any form, are those named. */
    protected abstract void assertOnlyThreadsLeft(String... threads) throws IOException;

    /** Every byte the backend holds, as text: backups and damaged copies included. */
    protected abstract String everythingStored() throws IOException;

    /** Makes the stored data look last written at {@code when} wherever the backend keeps times besides the turns. */
    protected void lookWrittenAt(Instant when) {
    }

    protected final ConversationStore open() {
        return open(40_000, 128);
    }

    protected final ConversationStore openWithTurnsPerFile(int recentTurns) {
        return open(40_000, recentTurns);
    }

    protected final ConversationStore open(int maxTurnChars, int recentTurns) {
        ConversationStore store = create(maxTurnChars, recentTurns);
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(ConversationStore::close);
    }

    protected final Instant t(int minutes) {
        return clock.instant().plus(Duration.ofMinutes(minutes));
    }

    @Test
    void toolTurns_areStoredAsTheirOwnKind_andExported() {
        ConversationKey key = slackKey("1773568800.000200");
        ConversationStore store = open();
        store.append(key, user("U1", "what is the lag?", t(0)));
        Turn tool = Turn.tool("metrics/query", "{\"q\":\"lag\"}", "lag is 3s", false, t(1));
        store.append(key, tool);
        store.append(key, assistant("The lag is 3 s.", t(1)));

        Conversation loaded = open().load(key).orElseThrow();

        assertThat(loaded.turns()).hasSize(3);
        assertThat(loaded.turns().get(1)).isEqualTo(tool);
        assertThat(loaded.turns().get(1).role()).isEqualTo(dev.switchboard.conversation.Role.TOOL);
        assertThat(new String(dev.switchboard.conversation.ConversationExport.of(loaded, List.of(), t(2)).toJson(),
                java.nio.charset.StandardCharsets.UTF_8)).contains("TOOL").contains("metrics/query")
                .contains("lag is 3s");
    }

    @Test
    void append_everyFieldSurvivesAFreshStore() {
        ConversationKey key = slackKey("1773568800.000100");
        ConversationStore store = open();
        store.append(key, user("U1", "hello, with ünïcödé and \"quotes\"\nand lines", t(0)));
        store.append(key, assistant("hi there", t(1)));
        store.putMetadata(key, "title", "greetings");

        Conversation loaded = open().load(key).orElseThrow();

        assertThat(loaded.key()).isEqualTo(key);
        assertThat(loaded.startedAt()).isEqualTo(t(0));
        assertThat(loaded.updatedAt()).isEqualTo(t(1)); // the newest change: the reply
        assertThat(loaded.metadata()).containsExactlyEntriesOf(Map.of("title", "greetings"));
        assertThat(loaded.turns()).containsExactly(user("U1", "hello, with ünïcödé and \"quotes\"\nand lines", t(0)),
                assistant("hi there", t(1)));
        Turn reply = loaded.turns().get(1);
        assertThat(reply.assistant().fallbacks()).containsExactly("openai/gpt-4o-mini");
        assertThat(reply.assistant().usage().input()).isEqualTo(1234);
        assertThat(reply.assistant().latency()).isEqualTo(Duration.ofMillis(3180));
        assertThat(reply.messageIds()).hasSize(2);
    }

    @Test
    void appendAnswer_storesTheTurnAndDropsOnlyItsNote() {
        ConversationKey key = slackKey("1773568800.000300");
        ConversationStore store = open();
        store.append(key, user("U1", "hello", t(0)));
        store.putMetadata(key, "shown_for.M1", "P1,P2");
        store.putMetadata(key, "title", "greetings");

        Conversation after = store.appendAnswer(key, assistant("hi there", t(1)), null, "shown_for.M1");

        assertThat(after.metadata()).containsExactlyEntriesOf(Map.of("title", "greetings"));
        Conversation loaded = open().load(key).orElseThrow();
        assertThat(loaded.turns()).containsExactly(user("U1", "hello", t(0)), assistant("hi there", t(1)));
        assertThat(loaded.metadata()).containsExactlyEntriesOf(Map.of("title", "greetings"));
        assertThat(loaded.updatedAt()).isEqualTo(t(1));
        // An answer without a note (nothing was shown before it) is stored the same way.
        store.appendAnswer(key, assistant("again", t(2)), null, "shown_for.M2");
        assertThat(open().load(key).orElseThrow().turns()).hasSize(3);
    }

    @Test
    void appendNoted_storesTheTurnAndSetsTheNote_theNoteChangedByALaterOne() {
        ConversationKey key = slackKey("1773568800.000310");
        ConversationStore store = open();

        Conversation after = store.appendNoted(key, user("U1", "hello", t(0)), "channel_name", "general");

        assertThat(after.metadata()).containsExactlyEntriesOf(Map.of("channel_name", "general"));
        Conversation loaded = open().load(key).orElseThrow();
        assertThat(loaded.turns()).containsExactly(user("U1", "hello", t(0)));
        assertThat(loaded.metadata()).containsExactlyEntriesOf(Map.of("channel_name", "general"));
        assertThat(loaded.updatedAt()).as("updated when the message was written").isEqualTo(t(0));
        assertThat(store.seen(key, user("U1", "hello", t(0)).messageIds().getFirst()))
                .isEqualTo(Seen.UNANSWERED);

        store.putMetadata(key, "title", "greetings");
        store.appendNoted(key, user("U1", "again", t(1)), "channel_name", "renamed");
        assertThat(open().load(key).orElseThrow().metadata())
                .containsExactlyInAnyOrderEntriesOf(Map.of("channel_name", "renamed", "title", "greetings"));
        assertThat(open().load(key).orElseThrow().turns()).hasSize(2);
    }

    @Test
    void append_manyThreadsIntoOneConversation_everyTurnLandsInCallOrder() throws Exception {
        ConversationKey key = slackKey("busy");
        ConversationStore store = openWithTurnsPerFile(16);
        int writers = 8;
        int each = 40;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < each; i++) {
                    store.append(key, user("U" + writer, writer + ":" + i, t(0)));
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        List<Turn> turns = open().loadComplete(key).orElseThrow().turns();
        assertThat(turns).hasSize(writers * each);
        for (int w = 0; w < writers; w++) {
            String prefix = w + ":";
            List<Integer> order = turns.stream().map(Turn::text).filter(s -> s.startsWith(prefix))
                    .map(s -> Integer.parseInt(s.substring(prefix.length()))).toList();
            assertThat(order).as("writer %d's turns, each once, in the order its calls returned", w)
                    .containsExactlyElementsOf(IntStream.range(0, each).boxed().toList());
        }
    }

    @Test
    void append_pastTheFileLimit_rollsOlderTurnsIntoArchives() {
        ConversationKey key = slackKey("long");
        ConversationStore store = openWithTurnsPerFile(8);
        for (int i = 0; i < 50; i++) {
            store.append(key, user("U1", "turn " + i, t(i)));
        }

        Conversation recent = open().load(key).orElseThrow();
        assertThat(recent.turns().size()).isLessThanOrEqualTo(8);
        assertThat(recent.totalTurns()).isEqualTo(50);
        assertThat(recent.turns().getLast().text()).isEqualTo("turn 49");

        Conversation all = open().loadComplete(key).orElseThrow();
        assertThat(all.turns()).extracting(Turn::text)
                .containsExactlyElementsOf(IntStream.range(0, 50).mapToObj(i -> "turn " + i).toList());
    }

    @Test
    void append_textOverTheLimit_isRefusedWithTheKeyToChange() {
        ConversationStore store = open(100, 16);

        assertThatThrownBy(() -> store.append(slackKey("big"), user("U1", "x".repeat(101), t(0))))
                .isInstanceOf(TurnRejectedException.class)
                .hasMessageContaining("101 characters")
                .hasMessageContaining("storage.max_turn_chars = 100");
        assertThat(store.load(slackKey("big"))).isEmpty();
    }

    @Test
    void append_oversizeAuthorOrIds_areRefused() {
        ConversationStore store = open();
        Turn longName = Turn.user("U1", "n".repeat(600), "hi", t(0), List.of());
        Turn manyIds = Turn.user("U1", "name", "hi", t(0), IntStream.range(0, 300).mapToObj(Integer::toString).toList());

        assertThatThrownBy(() -> store.append(slackKey("x"), longName)).isInstanceOf(TurnRejectedException.class);
        assertThatThrownBy(() -> store.append(slackKey("x"), manyIds)).isInstanceOf(TurnRejectedException.class);
        assertThatThrownBy(() -> store.putMetadata(slackKey("x"), "k", "v".repeat(20_000)))
                .isInstanceOf(TurnRejectedException.class);
        assertThat(store.load(slackKey("x"))).isEmpty();
    }

    @Test
    void append_withATimestampOutsideAnyPartition_isFoundAgain() {
        ConversationKey key = slackKey("timewarp");
        ConversationStore store = open();
        store.append(key, user("U1", "from the far future", Instant.parse("+12026-01-01T00:00:00Z")));
        store.append(key, user("U1", "from before 1970", Instant.parse("1900-01-01T00:00:00Z")));

        assertThat(open().load(key).orElseThrow().turns()).hasSize(2);
        assertThat(store.list(ConversationQuery.channel("slack", "T0001", "C0001"))).hasSize(1);
    }

    @Test
    void list_findsAChannelsThreadsAndFiltersByMonth_newestFirst() {
        ConversationStore store = open();
        store.append(slackKey("jan"), user("U1", "x", Instant.parse("2026-01-10T00:00:00Z")));
        store.append(slackKey("feb"), user("U1", "x", Instant.parse("2026-02-10T00:00:00Z")));
        store.append(slackKey("mar"), user("U1", "x", Instant.parse("2026-03-10T00:00:00Z")));
        store.append(new ConversationKey("slack", "T0001", "C0002", "other"), user("U1", "x", t(0)));
        store.append(new ConversationKey("discord", "G1", "C0001", "elsewhere"), user("U1", "x", t(0)));

        assertThat(store.list(ConversationQuery.channel("slack", "T0001", "C0001")))
                .extracting(s -> s.key().thread()).containsExactly("mar", "feb", "jan");
        assertThat(store.list(new ConversationQuery("slack", "T0001", "C0001", YearMonth.of(2026, 2),
                YearMonth.of(2026, 2)))).extracting(s -> s.key().thread()).containsExactly("feb");
        assertThat(store.list(new ConversationQuery("slack", null, null, null, null))).hasSize(4);
        ConversationSummary summary = store.list(ConversationQuery.channel("slack", "T0001", "C0002")).getFirst();
        assertThat(summary.partition()).isEqualTo(YearMonth.of(2026, 3));
        assertThat(summary.bytes()).isPositive();
    }

    @Test
    void load_repeated_isServedFromTheCache() {
        ConversationStore store = open();
        store.append(slackKey("hot"), user("U1", "x", t(0)));
        ConversationStore fresh = open();
        fresh.load(slackKey("hot"));
        fresh.load(slackKey("hot"));
        fresh.load(slackKey("hot"));

        assertThat(fresh.stats().cacheHitRate()).isGreaterThan(0.5);
        assertThat(fresh.stats().cachedConversations()).isEqualTo(1);
        assertThat(fresh.stats().conversations()).isEqualTo(1);
    }

    @Test
    void seen_aMessageIsNewThenUnansweredThenAnswered_andSurvivesAFreshStore() {
        ConversationKey key = slackKey("100.1");
        ConversationStore store = open();
        assertThat(store.seen(key, "100.1")).isEqualTo(Seen.NEW);

        store.append(key, Turn.user("U1", "Ada", "a question", t(0), List.of("100.1")));

        assertThat(open().seen(key, "100.1")).isEqualTo(Seen.UNANSWERED);
        assertThat(store.seen(key, "100.2")).as("another message").isEqualTo(Seen.NEW);
        assertThat(store.seen(slackKey("other"), "100.1")).as("the same id in another thread").isEqualTo(Seen.NEW);

        store.append(key, Turn.assistant("B1", "the answer", t(1), List.of("100.3"), new AssistantMeta("p", "m",
                List.of(), TokenUsage.NONE, Duration.ZERO, Duration.ZERO, "100.1")));

        assertThat(store.seen(key, "100.1")).isEqualTo(Seen.ANSWERED);
        assertThat(open().seen(key, "100.1")).isEqualTo(Seen.ANSWERED);
    }

    @Test
    void unanswered_findsRecentUserMessagesWithoutAnAnswer_onThatPlatformOnly() {
        ConversationStore store = open();
        ConversationKey waiting = slackKey("waiting");
        Turn question = Turn.user("U1", "Ada", "still waiting", t(0), List.of("1.1"));
        store.append(waiting, question);
        store.append(waiting, Turn.user("U1", "Ada", "answered", t(1), List.of("1.2")));
        store.append(waiting, Turn.assistant("B1", "an answer", t(2), List.of("1.3"), new AssistantMeta("p", "m",
                List.of(), TokenUsage.NONE, Duration.ZERO, Duration.ZERO, "1.2")));
        store.append(slackKey("rebuilt"), Turn.user("U1", "Ada", "no platform id", t(0), List.of()));
        store.append(slackKey("old"), Turn.user("U1", "Ada", "too old", t(-120), List.of("0.1")));
        store.append(new ConversationKey("discord", "G1", "C1", "d"), Turn.user("U1", "Ada", "elsewhere", t(0),
                List.of("2.1")));

        assertThat(open().unanswered("slack", t(-60))).containsExactly(new Pending(waiting, question));
        assertThat(store.unanswered("discord", t(-60))).extracting(p -> p.key().thread()).containsExactly("d");
        assertThat(store.unanswered("shell", t(-60))).isEmpty();
    }

    @Test
    void forget_deletesTheThreadItsArchivesAndBackup() throws IOException {
        ConversationKey key = slackKey("gone");
        ConversationStore store = openWithTurnsPerFile(4);
        for (int i = 0; i < 12; i++) {
            store.append(key, user("U1", "t" + i, t(i)));
        }
        store.append(slackKey("kept"), user("U1", "stays", t(0)));

        assertThat(store.forget(key)).isTrue();
        assertThat(store.forget(key)).isFalse();
        assertThat(store.load(key)).isEmpty();
        assertThat(open().load(key)).isEmpty();
        assertOnlyThreadsLeft("kept");
    }

    @Test
    void forgetUser_removesTheirTurnsEverywhere_includingArchivesAndBackups() throws IOException {
        ConversationStore store = openWithTurnsPerFile(4);
        ConversationKey a = slackKey("a");
        ConversationKey b = new ConversationKey("slack", "T0002", "C0009", "b");
        for (int i = 0; i < 10; i++) {
            store.append(a, user(i % 2 == 0 ? "UGONE" : "UKEEP", "secret-of-UGONE-" + i, t(i)));
        }
        store.append(b, user("UGONE", "secret-of-UGONE-b", t(0)));
        store.append(b, assistant("answer", t(1)));
        store.append(new ConversationKey("discord", "G1", "C1", "d"), user("UGONE", "other platform", t(0)));

        assertThat(store.forgetUser("slack", "UGONE")).isEqualTo(6);

        assertThat(open().loadComplete(a).orElseThrow().turns()).extracting(Turn::authorId).containsOnly("UKEEP")
                .hasSize(5);
        assertThat(open().loadComplete(b).orElseThrow().turns()).extracting(Turn::role).containsExactly(Role.ASSISTANT);
        String stored = everythingStored();
        for (int i = 0; i < 10; i += 2) {
            assertThat(stored).doesNotContain("secret-of-UGONE-" + i + "\"");
        }
        assertThat(stored).doesNotContain("secret-of-UGONE-b");
        assertThat(open().load(new ConversationKey("discord", "G1", "C1", "d"))).isPresent();
    }

    @Test
    void export_isTheWholeThreadAsJson() throws IOException {
        ConversationKey key = slackKey("export");
        ConversationStore store = openWithTurnsPerFile(4);
        for (int i = 0; i < 9; i++) {
            store.append(key, user("U1", "t" + i, t(i)));
        }

        JsonNode exported = new ObjectMapper().readTree(
                ConversationExport.of(store.loadComplete(key).orElseThrow(), t(60)).toJson());

        assertThat(exported.get("turns")).hasSize(9);
        for (int i = 0; i < 9; i++) {
            assertThat(exported.get("turns").get(i).get("text").asText()).isEqualTo("t" + i);
            assertThat(exported.get("turns").get(i).get("author_id").asText()).isEqualTo("U1");
        }
        assertThat(exported.get("version").asInt()).isEqualTo(1);
        assertThat(exported.get("conversation").get("thread").asText()).isEqualTo("export");
        assertThat(exported.get("conversation").get("platform").asText()).isEqualTo("slack");
        assertThat(exported.get("started_at").asText()).isEqualTo("2026-03-15T10:00:00Z");
        assertThat(store.loadComplete(slackKey("none"))).isEmpty();
    }

    @Test
    void summaryTurn_survivesAFreshStoreInTheRecentTurnsAndTheArchives_andTheExportKeepsItWithTheOriginals()
            throws IOException {
        ConversationKey key = slackKey("summarised");
        ConversationStore store = openWithTurnsPerFile(4);
        for (int i = 0; i < 6; i++) {
            store.append(key, user("U1", "t" + i, t(i)));
        }
        Turn summary = Turn.summary("The user counted from t0 to t5.", t(7),
                new SummaryMeta(6, "openai", "gpt-5.4-mini"));
        store.append(key, summary);
        store.append(key, user("U1", "t7", t(8)));

        Conversation reloaded = open().load(key).orElseThrow();
        assertThat(reloaded.turns()).contains(summary);
        assertThat(reloaded.totalTurns()).isEqualTo(8);
        // Enough turns later it rolls into an archive, and still reads back whole.
        ConversationStore again = openWithTurnsPerFile(4);
        for (int i = 9; i < 16; i++) {
            again.append(key, user("U1", "t" + i, t(i)));
        }
        Conversation complete = open().loadComplete(key).orElseThrow();
        assertThat(complete.turns().get(6)).isEqualTo(summary);
        assertThat(complete.turns()).hasSize(15);

        JsonNode exported = new ObjectMapper().readTree(ConversationExport.of(complete, t(60)).toJson());
        assertThat(exported.get("turns")).hasSize(15);
        JsonNode turn = exported.get("turns").get(6);
        assertThat(turn.get("role").asText()).isEqualTo("SUMMARY");
        assertThat(turn.get("text").asText()).isEqualTo("The user counted from t0 to t5.");
        assertThat(turn.get("summary").get("through_turn").asInt()).isEqualTo(6);
        assertThat(exported.get("turns").get(0).get("text").asText()).isEqualTo("t0");
    }

    @Test
    void forgetUser_alsoRemovesTheSummariesOfTheThreadsTheyWroteIn_andForgetRemovesBoth() throws IOException {
        ConversationStore store = open();
        ConversationKey a = slackKey("a");
        store.append(a, user("UGONE", "secret-of-UGONE", t(0)));
        store.append(a, assistant("answer", t(1)));
        store.append(a, Turn.summary("UGONE told a secret-of-UGONE-summary", t(2), new SummaryMeta(2, "p", "m")));
        ConversationKey b = slackKey("b");
        store.append(b, user("UKEEP", "kept", t(0)));
        Turn keptSummary = Turn.summary("UKEEP said kept", t(1), new SummaryMeta(1, "p", "m"));
        store.append(b, keptSummary);

        assertThat(store.forgetUser("slack", "UGONE")).isEqualTo(1);

        assertThat(open().loadComplete(a).orElseThrow().turns()).extracting(Turn::role).containsExactly(Role.ASSISTANT);
        assertThat(open().loadComplete(b).orElseThrow().turns()).contains(keptSummary);
        assertThat(everythingStored()).doesNotContain("secret-of-UGONE");

        assertThat(open().forget(b)).isTrue();
        assertThat(everythingStored()).doesNotContain("UKEEP said kept");
    }

    @Test
    void deleteNotUpdatedSince_decidesByTheLastTurnNotTheStartDate() {
        ConversationStore store = open();
        store.append(slackKey("old"), user("U1", "x", Instant.parse("2025-01-01T00:00:00Z")));
        store.append(slackKey("active"), user("U1", "x", Instant.parse("2025-01-01T00:00:00Z")));
        store.append(slackKey("active"), user("U1", "y", Instant.parse("2026-03-01T00:00:00Z")));
        Instant cutoff = Instant.parse("2026-01-01T00:00:00Z");
        // Make the storage look old too, so only the turns' times separate them.
        lookWrittenAt(cutoff.minus(Duration.ofDays(1)));

        assertThat(store.deleteNotUpdatedSince(cutoff)).isEqualTo(1);
        assertThat(store.load(slackKey("old"))).isEmpty();
        assertThat(store.load(slackKey("active"))).isPresent();
    }

    // --- attachments (issue 20) ---

    private static final byte[] IMAGE = "pretend-png-bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final String IMAGE_HASH = dev.switchboard.conversation.Attachment.sha256(IMAGE);

    private static Turn withFile(String author, String messageId, Instant at) {
        return Turn.user(author, "", "what is this?", at, List.of(messageId),
                List.of(dev.switchboard.conversation.Attachment.pending("cat.png", "image/png", 17)));
    }

    @Test
    void attach_replacesThePendingFilesAndKeepsTheBytesOncePerHash() {
        ConversationKey key = slackKey("files");
        ConversationStore store = open();
        store.append(key, withFile("U1", "m1", t(0)));
        var read = dev.switchboard.conversation.Attachment.read("cat.png", "image/png", IMAGE.length, IMAGE_HASH,
                dev.switchboard.conversation.Attachment.Kind.IMAGE);
        var skipped = dev.switchboard.conversation.Attachment.skipped("../../etc/passwd.zip", "application/zip", 9,
                "it is a ZIP archive");

        store.attach(key, "m1", List.of(read, skipped), java.util.Map.of(IMAGE_HASH, IMAGE));
        store.append(key, withFile("U1", "m2", t(1)));
        store.attach(key, "m2", List.of(read), java.util.Map.of(IMAGE_HASH, IMAGE));

        ConversationStore reopened = open();
        assertThat(reopened.load(key).orElseThrow().turns().getFirst().attachments()).containsExactly(read, skipped);
        assertThat(reopened.blob(key, IMAGE_HASH)).hasValueSatisfying(b -> assertThat(b).isEqualTo(IMAGE));
        assertThat(reopened.blob(slackKey("other"), IMAGE_HASH)).isEmpty();
        assertThat(reopened.blob(key, "../" + IMAGE_HASH)).isEmpty();
        assertThat(reopened.loadComplete(key).orElseThrow().turns()).allSatisfy(t ->
                assertThat(t.attachments()).contains(read));
    }

    @Test
    void attach_toAMessageNoLongerStored_keepsNothing() {
        ConversationKey key = slackKey("files-gone");
        ConversationStore store = open();
        store.append(key, user("U1", "hello", t(0)));
        store.attach(key, "missing", List.of(dev.switchboard.conversation.Attachment.read("cat.png", "image/png",
                IMAGE.length, IMAGE_HASH, dev.switchboard.conversation.Attachment.Kind.IMAGE)),
                java.util.Map.of(IMAGE_HASH, IMAGE));
        assertThat(store.blob(key, IMAGE_HASH)).isEmpty();
    }

    @Test
    void forgetAndForgetUser_takeTheFilesAlong() {
        ConversationKey gone = slackKey("files-forgotten");
        ConversationKey shared = slackKey("files-shared");
        ConversationStore store = open();
        var read = dev.switchboard.conversation.Attachment.read("cat.png", "image/png", IMAGE.length, IMAGE_HASH,
                dev.switchboard.conversation.Attachment.Kind.IMAGE);
        store.append(gone, withFile("U1", "m1", t(0)));
        store.attach(gone, "m1", List.of(read), java.util.Map.of(IMAGE_HASH, IMAGE));
        store.append(shared, withFile("UGONE", "m2", t(0)));
        store.attach(shared, "m2", List.of(read), java.util.Map.of(IMAGE_HASH, IMAGE));
        store.append(shared, user("UKEEP", "still here", t(1)));

        assertThat(store.forget(gone)).isTrue();
        assertThat(open().blob(gone, IMAGE_HASH)).isEmpty();
        assertThat(store.forgetUser("slack", "UGONE")).isEqualTo(1);
        assertThat(open().blob(shared, IMAGE_HASH)).isEmpty();
        assertThat(open().load(shared).orElseThrow().turns()).extracting(Turn::text).containsExactly("still here");

        ConversationKey old = slackKey("files-retired");
        store.append(old, withFile("U1", "m3", t(0)));
        store.attach(old, "m3", List.of(read), java.util.Map.of(IMAGE_HASH, IMAGE));
        lookWrittenAt(t(1)); // retention decides by the turns' times
        assertThat(store.deleteNotUpdatedSince(t(100_000))).isPositive();
        assertThat(open().blob(old, IMAGE_HASH)).isEmpty();
    }
}
