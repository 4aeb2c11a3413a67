package dev.switchboard.store;

import static dev.switchboard.testing.Turns.assistant;
import static dev.switchboard.testing.Turns.slackKey;
import static dev.switchboard.testing.Turns.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationExport;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.ConversationSummary;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.TurnRejectedException;
import dev.switchboard.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFileConversationStoreTest {

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.at("2026-03-15T10:00:00Z");
    private final List<JsonFileConversationStore> opened = new ArrayList<>();

    private JsonFileConversationStore open() {
        return open(JsonFileConversationStore.Options.defaults(dir.resolve("data")));
    }

    private JsonFileConversationStore open(JsonFileConversationStore.Options options) {
        JsonFileConversationStore store = new JsonFileConversationStore(options, clock, new SimpleMeterRegistry());
        opened.add(store);
        return store;
    }

    private JsonFileConversationStore openWithTurnsPerFile(int turnsPerFile) {
        JsonFileConversationStore.Options d = JsonFileConversationStore.Options.defaults(dir.resolve("data"));
        return open(new JsonFileConversationStore.Options(d.root(), true, true, d.maxTurnChars(), turnsPerFile,
                d.cacheMaxBytes()));
    }

    @AfterEach
    void close() {
        opened.forEach(JsonFileConversationStore::close);
    }

    private Instant t(int minutes) {
        return clock.instant().plus(Duration.ofMinutes(minutes));
    }

    @Test
    void append_everyFieldSurvivesAFreshStore() {
        ConversationKey key = slackKey("1773568800.000100");
        JsonFileConversationStore store = open();
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
    void append_writesThePartitionedLayoutWithSchemaAndBackup() throws IOException {
        ConversationKey key = new ConversationKey("slack", "T0001", "C0001", "1773568800.000100");
        JsonFileConversationStore store = open();
        store.append(key, user("U1", "one", t(0)));
        store.append(key, user("U1", "two", t(1)));

        Path file = dir.resolve("data/slack/T0001/C0001/2026/03/1773568800.000100.json");
        assertThat(file).exists();
        assertThat(AtomicFiles.backupOf(file)).exists();
        JsonNode doc = new DocumentCodec().mapper().readTree(file.toFile());
        assertThat(doc.get("schema").asInt()).isEqualTo(DocumentCodec.SCHEMA);
        assertThat(doc.get("body").get("turns")).hasSize(2);
        JsonNode backup = new DocumentCodec().mapper().readTree(AtomicFiles.backupOf(file).toFile());
        assertThat(backup.get("body").get("turns")).hasSize(1);
    }

    @Test
    void append_newThreadIsPartitionedByItsStartMonth_laterTurnsStayThere() {
        ConversationKey key = slackKey("x");
        JsonFileConversationStore store = open();
        store.append(key, user("U1", "january", Instant.parse("2026-01-31T23:59:00Z")));
        store.append(key, user("U1", "february", Instant.parse("2026-02-01T00:01:00Z")));

        assertThat(dir.resolve("data/slack/T0001/C0001/2026/01/x.json")).exists();
        assertThat(dir.resolve("data/slack/T0001/C0001/2026/02")).doesNotExist();
        assertThat(open().load(key).orElseThrow().turns()).hasSize(2);
    }

    @Test
    void append_manyThreadsIntoOneConversation_everyTurnLandsInCallOrder() throws Exception {
        ConversationKey key = slackKey("busy");
        JsonFileConversationStore store = openWithTurnsPerFile(16);
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
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, each).boxed().toList());
        }
    }

    @Test
    void append_pastTheFileLimit_rollsOlderTurnsIntoArchives() {
        ConversationKey key = slackKey("long");
        JsonFileConversationStore store = openWithTurnsPerFile(8);
        for (int i = 0; i < 50; i++) {
            store.append(key, user("U1", "turn " + i, t(i)));
        }

        Conversation recent = open().load(key).orElseThrow();
        assertThat(recent.turns().size()).isLessThanOrEqualTo(8);
        assertThat(recent.totalTurns()).isEqualTo(50);
        assertThat(recent.turns().getLast().text()).isEqualTo("turn 49");

        Conversation all = open().loadComplete(key).orElseThrow();
        assertThat(all.turns()).extracting(Turn::text)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50).mapToObj(i -> "turn " + i).toList());
        assertThat(dir.resolve("data/slack/T0001/C0001/2026/03/.archive/long")).isDirectory();
    }

    @Test
    void append_textOverTheLimit_isRefusedWithTheKeyToChange() {
        JsonFileConversationStore.Options d = JsonFileConversationStore.Options.defaults(dir.resolve("data"));
        JsonFileConversationStore store = open(new JsonFileConversationStore.Options(d.root(), true, true, 100, 16,
                d.cacheMaxBytes()));

        assertThatThrownBy(() -> store.append(slackKey("big"), user("U1", "x".repeat(101), t(0))))
                .isInstanceOf(TurnRejectedException.class)
                .hasMessageContaining("101 characters")
                .hasMessageContaining("storage.max_turn_chars = 100");
        assertThat(store.load(slackKey("big"))).isEmpty();
    }

    @Test
    void load_corruptFile_isQuarantinedAndTheBackupServedAndRestored() throws IOException {
        ConversationKey key = slackKey("damaged");
        Path file = storedTwice(key);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2)); // a torn write

        JsonFileConversationStore store = open();
        Conversation served = store.load(key).orElseThrow();

        assertThat(served.turns()).extracting(Turn::text).containsExactly("first");
        assertThat(quarantined()).singleElement().satisfies(p ->
                assertThat(p.getFileName().toString()).startsWith("damaged.json."));
        store.append(key, user("U1", "third", t(2)));
        assertThat(open().load(key).orElseThrow().turns()).extracting(Turn::text).containsExactly("first", "third");
        assertThat(store.stats().quarantined()).isEqualTo(1);
    }

    @Test
    void load_flippedByte_failsTheChecksumAndIsQuarantined() throws IOException {
        ConversationKey key = slackKey("bitrot");
        Path file = storedTwice(key);
        String text = Files.readString(file);
        Files.writeString(file, text.replace("second", "secOnd")); // still valid JSON

        assertThat(open().load(key).orElseThrow().turns()).extracting(Turn::text).containsExactly("first");
        assertThat(quarantined()).hasSize(1);
    }

    @Test
    void load_fileAndBackupBothDamaged_quarantinesBothAndStartsAfresh() throws IOException {
        ConversationKey key = slackKey("lost");
        Path file = storedTwice(key);
        Files.writeString(file, "{not json");
        Files.writeString(AtomicFiles.backupOf(file), "");

        assertThat(open().load(key)).isEmpty();
        assertThat(quarantined()).hasSize(2);
    }

    @Test
    void load_fileFromANewerSchema_isRefusedAndLeftInPlace() throws IOException {
        ConversationKey key = slackKey("future");
        open().append(key, user("U1", "first", t(0)));
        Path file = dir.resolve("data/slack/T0001/C0001/2026/03/future.json");
        Files.writeString(file, Files.readString(file).replace("{\"schema\":1,", "{\"schema\":9,"));

        assertThatThrownBy(() -> open().load(key)).hasMessageContaining("schema 9");
        assertThat(file).exists();
        assertThat(quarantined()).isEmpty();
    }

    @Test
    void load_fileOfAnotherConversation_isNeverServed() throws IOException {
        open().append(slackKey("a"), user("U1", "for a", t(0)));
        Path dirOfMonth = dir.resolve("data/slack/T0001/C0001/2026/03");
        Files.copy(dirOfMonth.resolve("a.json"), dirOfMonth.resolve("b.json"));

        assertThatThrownBy(() -> open().load(slackKey("b")))
                .isInstanceOf(StoreException.class).hasMessageContaining("belongs to another conversation");
    }

    @Test
    void list_findsAChannelsThreadsAndFiltersByMonth_newestFirst() {
        JsonFileConversationStore store = open();
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
    void forget_deletesTheThreadItsArchivesAndBackup() throws IOException {
        ConversationKey key = slackKey("gone");
        JsonFileConversationStore store = openWithTurnsPerFile(4);
        for (int i = 0; i < 12; i++) {
            store.append(key, user("U1", "t" + i, t(i)));
        }
        store.append(slackKey("kept"), user("U1", "stays", t(0)));

        assertThat(store.forget(key)).isTrue();
        assertThat(store.forget(key)).isFalse();
        assertThat(store.load(key)).isEmpty();
        assertThat(open().load(key)).isEmpty();
        try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("kept.json", ".lock");
        }
    }

    @Test
    void forgetUser_removesTheirTurnsEverywhere_includingArchivesAndBackups() throws IOException {
        JsonFileConversationStore store = openWithTurnsPerFile(4);
        ConversationKey a = slackKey("a");
        ConversationKey b = new ConversationKey("slack", "T0002", "C0009", "b");
        for (int i = 0; i < 10; i++) {
            store.append(a, user(i % 2 == 0 ? "UGONE" : "UKEEP", "secret-of-UGONE-" + i, t(i)));
        }
        store.append(b, user("UGONE", "secret-of-UGONE-b", t(0)));
        store.append(b, assistant("answer", t(1)));
        store.append(new ConversationKey("discord", "G1", "C1", "d"), user("UGONE", "other platform", t(0)));

        Path quarantined = dir.resolve("data/.quarantine/slack/T0001/C0001/2026/03/old.json.20260101T000000000Z");
        Files.createDirectories(quarantined.getParent());
        Files.writeString(quarantined, "{\"turns\":[{\"author_id\":\"UGONE\",\"text\":\"secret-of-UGONE-q\"");
        Path unrelated = quarantined.resolveSibling("other.json.20260101T000000000Z");
        Files.writeString(unrelated, "{\"turns\":[{\"author_id\":\"UKEEP\"");

        assertThat(store.forgetUser("slack", "UGONE")).isEqualTo(6);

        assertThat(quarantined).doesNotExist();
        assertThat(unrelated).exists();

        assertThat(open().loadComplete(a).orElseThrow().turns()).extracting(Turn::authorId).containsOnly("UKEEP")
                .hasSize(5);
        assertThat(open().loadComplete(b).orElseThrow().turns()).extracting(Turn::role).containsExactly(Role.ASSISTANT);
        try (Stream<Path> files = Files.walk(dir.resolve("data/slack"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                String content = Files.readString(p, StandardCharsets.UTF_8);
                for (int i = 0; i < 10; i += 2) {
                    assertThat(content).as(p.toString()).doesNotContain("secret-of-UGONE-" + i + "\"");
                }
                assertThat(content).doesNotContain("secret-of-UGONE-b");
            }
        }
        assertThat(open().load(new ConversationKey("discord", "G1", "C1", "d"))).isPresent();
    }

    @Test
    void export_isTheWholeThreadAsJson() throws IOException {
        ConversationKey key = slackKey("export");
        JsonFileConversationStore store = openWithTurnsPerFile(4);
        for (int i = 0; i < 9; i++) {
            store.append(key, user("U1", "t" + i, t(i)));
        }

        JsonNode exported = new DocumentCodec().mapper().readTree(
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
    void deleteNotUpdatedSince_decidesByTheLastTurnNotTheStartDate() {
        JsonFileConversationStore store = open();
        store.append(slackKey("old"), user("U1", "x", Instant.parse("2025-01-01T00:00:00Z")));
        store.append(slackKey("active"), user("U1", "x", Instant.parse("2025-01-01T00:00:00Z")));
        store.append(slackKey("active"), user("U1", "y", Instant.parse("2026-03-01T00:00:00Z")));
        Instant cutoff = Instant.parse("2026-01-01T00:00:00Z");
        // Make the files look old on disk too, so only updated_at separates them.
        setModified(cutoff.minus(Duration.ofDays(1)));

        assertThat(store.deleteNotUpdatedSince(cutoff)).isEqualTo(1);
        assertThat(store.load(slackKey("old"))).isEmpty();
        assertThat(store.load(slackKey("active"))).isPresent();
    }

    @Test
    void load_repeated_isServedFromTheCache() {
        JsonFileConversationStore store = open();
        store.append(slackKey("hot"), user("U1", "x", t(0)));
        JsonFileConversationStore fresh = open();
        fresh.load(slackKey("hot"));
        fresh.load(slackKey("hot"));
        fresh.load(slackKey("hot"));

        assertThat(fresh.stats().cacheHitRate()).isGreaterThan(0.5);
        assertThat(fresh.stats().cachedConversations()).isEqualTo(1);
        assertThat(fresh.stats().conversations()).isEqualTo(1);
    }

    @Test
    void append_afterTheCurrentFileAndBackupWereLost_keepsTheArchivedTurns() throws IOException {
        ConversationKey key = slackKey("survivor");
        JsonFileConversationStore first = openWithTurnsPerFile(4);
        for (int i = 0; i < 10; i++) {
            first.append(key, user("U1", "old " + i, t(i)));
        }
        int archived = first.load(key).orElseThrow().archivedTurns();
        first.close();
        assertThat(archived).isPositive();
        Path file = dir.resolve("data/slack/T0001/C0001/2026/03/survivor.json");
        Files.writeString(file, "garbage");
        Files.writeString(AtomicFiles.backupOf(file), "garbage");

        JsonFileConversationStore store = openWithTurnsPerFile(4);
        for (int i = 0; i < 10; i++) {
            store.append(key, user("U1", "new " + i, t(100 + i)));
        }

        List<String> texts = open().loadComplete(key).orElseThrow().turns().stream().map(Turn::text).toList();
        assertThat(texts).startsWith(java.util.stream.IntStream.range(0, archived).mapToObj(i -> "old " + i)
                .toArray(String[]::new));
        assertThat(texts).endsWith(java.util.stream.IntStream.range(0, 10).mapToObj(i -> "new " + i)
                .toArray(String[]::new));
    }

    @Test
    void append_withATimestampOutsideAnyPartition_isFiledUnderTodayAndFoundAgain() {
        ConversationKey key = slackKey("timewarp");
        JsonFileConversationStore store = open();
        store.append(key, user("U1", "from the far future", Instant.parse("+12026-01-01T00:00:00Z")));
        store.append(key, user("U1", "from before 1970", Instant.parse("1900-01-01T00:00:00Z")));

        assertThat(dir.resolve("data/slack/T0001/C0001/2026/03/timewarp.json")).exists();
        assertThat(open().load(key).orElseThrow().turns()).hasSize(2);
        assertThat(store.list(ConversationQuery.channel("slack", "T0001", "C0001"))).hasSize(1);
    }

    @Test
    void append_oversizeAuthorOrIds_areRefused() {
        JsonFileConversationStore store = open();
        Turn longName = Turn.user("U1", "n".repeat(600), "hi", t(0), List.of());
        Turn manyIds = Turn.user("U1", "name", "hi", t(0),
                java.util.stream.IntStream.range(0, 300).mapToObj(Integer::toString).toList());

        assertThatThrownBy(() -> store.append(slackKey("x"), longName)).isInstanceOf(TurnRejectedException.class);
        assertThatThrownBy(() -> store.append(slackKey("x"), manyIds)).isInstanceOf(TurnRejectedException.class);
        assertThatThrownBy(() -> store.putMetadata(slackKey("x"), "k", "v".repeat(20_000)))
                .isInstanceOf(TurnRejectedException.class);
        assertThat(store.load(slackKey("x"))).isEmpty();
    }

    @Test
    void forget_alsoDeletesQuarantinedCopiesOfTheThread() throws IOException {
        ConversationKey key = slackKey("q");
        Path file = storedTwice(key);
        Files.writeString(file, "damaged");
        JsonFileConversationStore store = open();
        store.load(key);
        assertThat(quarantined()).hasSize(1);

        assertThat(store.forget(key)).isTrue();

        assertThat(quarantined()).isEmpty();
    }

    /** Stores "first" and then "second" in a fresh store each time, so the file has a backup; returns the file. */
    private Path storedTwice(ConversationKey key) {
        open().append(key, user("U1", "first", t(0)));
        open().append(key, user("U1", "second", t(1)));
        return dir.resolve("data/slack/T0001/C0001/2026/03/" + key.thread() + ".json");
    }

    private void setModified(Instant when) {
        try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.from(when));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<Path> quarantined() throws IOException {
        Path q = dir.resolve("data/.quarantine");
        if (!Files.exists(q)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(q)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
