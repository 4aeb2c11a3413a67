package dev.switchboard.store;

import static dev.switchboard.testing.Turns.assistant;
import static dev.switchboard.testing.Turns.slackKey;
import static dev.switchboard.testing.Turns.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.StoreException;
import dev.switchboard.conversation.Turn;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conversation store contract on files, and what only files do: layout, backups, checksums, quarantine. */
class JsonFileConversationStoreTest extends ConversationStoreContract {

    @TempDir
    Path dir;

    @Override
    protected ConversationStore create(int maxTurnChars, int recentTurns) {
        JsonFileConversationStore.Options d = FileStoreOptions.defaults(dir.resolve("data"));
        return new JsonFileConversationStore(new JsonFileConversationStore.Options(d.root(), true, true, maxTurnChars,
                recentTurns, d.cacheMaxBytes()), clock, new SimpleMeterRegistry());
    }

    @Override
    protected void assertOnlyThreadsLeft(String... threads) throws IOException {
        List<String> expected = new ArrayList<>(Arrays.stream(threads).map(t -> t + ".json").toList());
        expected.add(".lock");
        try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Override
    protected String everythingStored() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                all.append(Files.readString(p, StandardCharsets.UTF_8)).append('\n');
            }
        }
        return all.toString();
    }

    @Override
    protected void lookWrittenAt(Instant when) {
        try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(p, FileTime.from(when));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void append_writesThePartitionedLayoutWithSchemaAndBackup() throws IOException {
        ConversationKey key = new ConversationKey("slack", "T0001", "C0001", "1773568800.000100");
        ConversationStore store = open();
        store.append(key, user("U1", "one", t(0)));
        store.append(key, user("U1", "two", t(1)));

        Path file = dir.resolve("data/slack/T0001/C0001/2026/03/1773568800.000100.json");
        assertThat(file).exists();
        assertThat(AtomicFiles.backupOf(file)).exists();
        JsonNode doc = new DocumentCodec().mapper().readTree(file.toFile());
        assertThat(doc.get("schema").asInt()).as("no summary turn: still readable by older builds").isEqualTo(1);
        assertThat(doc.get("body").get("turns")).hasSize(2);
        JsonNode backup = new DocumentCodec().mapper().readTree(AtomicFiles.backupOf(file).toFile());
        assertThat(backup.get("body").get("turns")).hasSize(1);
    }

    @Test
    void appendAnswer_isOneWrite_theBackupHoldsTheThreadFromBeforeIt() throws IOException {
        ConversationKey key = new ConversationKey("slack", "T0001", "C0001", "1773568800.000300");
        ConversationStore store = open();
        store.append(key, user("U1", "one", t(0)));
        store.putMetadata(key, "shown_for.M1", "P1");

        store.appendAnswer(key, assistant("hi there", t(1)), null, "shown_for.M1");

        Path file = dir.resolve("data/slack/T0001/C0001/2026/03/1773568800.000300.json");
        JsonNode doc = new DocumentCodec().mapper().readTree(file.toFile());
        assertThat(doc.get("body").get("turns")).hasSize(2);
        assertThat(doc.get("body").get("metadata").has("shown_for.M1")).isFalse();
        // Two writes would have left the turn with the note in the backup.
        JsonNode backup = new DocumentCodec().mapper().readTree(AtomicFiles.backupOf(file).toFile());
        assertThat(backup.get("body").get("turns")).hasSize(1);
        assertThat(backup.get("body").get("metadata").get("shown_for.M1").asText()).isEqualTo("P1");
    }

    @Test
    void appendNoted_isOneWrite_theBackupHoldsTheThreadFromBeforeIt() throws IOException {
        ConversationKey key = new ConversationKey("slack", "T0001", "C0001", "1773568800.000310");
        ConversationStore store = open();
        store.append(key, user("U1", "one", t(0)));

        store.appendNoted(key, user("U1", "two", t(1)), "channel_name", "general");

        Path file = dir.resolve("data/slack/T0001/C0001/2026/03/1773568800.000310.json");
        JsonNode doc = new DocumentCodec().mapper().readTree(file.toFile());
        assertThat(doc.get("body").get("turns")).hasSize(2);
        assertThat(doc.get("body").get("metadata").get("channel_name").asText()).isEqualTo("general");
        // Two writes would have left the second turn without the note in the backup.
        JsonNode backup = new DocumentCodec().mapper().readTree(AtomicFiles.backupOf(file).toFile());
        assertThat(backup.get("body").get("turns")).hasSize(1);
        assertThat(backup.get("body").get("metadata").has("channel_name")).isFalse();
    }

    @Test
    void aThreadWithASummaryTurn_isWrittenAsSchema2_soOlderBuildsRefuseItRatherThanCallItCorrupt() throws IOException {
        ConversationKey key = new ConversationKey("slack", "T0001", "C0001", "1773568800.000200");
        ConversationStore store = open();
        store.append(key, user("U1", "one", t(0)));
        store.append(key, dev.switchboard.conversation.Turn.summary("one was said", t(1),
                new dev.switchboard.conversation.SummaryMeta(1, "p", "m")));

        Path file = dir.resolve("data/slack/T0001/C0001/2026/03/1773568800.000200.json");
        JsonNode doc = new DocumentCodec().mapper().readTree(file.toFile());
        assertThat(doc.get("schema").asInt()).isEqualTo(2).isEqualTo(DocumentCodec.SCHEMA);
    }

    @Test
    void append_newThreadIsPartitionedByItsStartMonth_laterTurnsStayThere() {
        ConversationKey key = slackKey("x");
        ConversationStore store = open();
        store.append(key, user("U1", "january", Instant.parse("2026-01-31T23:59:00Z")));
        store.append(key, user("U1", "february", Instant.parse("2026-02-01T00:01:00Z")));

        assertThat(dir.resolve("data/slack/T0001/C0001/2026/01/x.json")).exists();
        assertThat(dir.resolve("data/slack/T0001/C0001/2026/02")).doesNotExist();
        assertThat(open().load(key).orElseThrow().turns()).hasSize(2);
    }

    @Test
    void append_pastTheFileLimit_writesArchiveFilesBesideTheThread() {
        ConversationKey key = slackKey("long");
        ConversationStore store = openWithTurnsPerFile(8);
        for (int i = 0; i < 50; i++) {
            store.append(key, user("U1", "turn " + i, t(i)));
        }

        assertThat(dir.resolve("data/slack/T0001/C0001/2026/03/.archive/long")).isDirectory();
    }

    @Test
    void append_withATimestampOutsideAnyPartition_isFiledUnderToday() {
        ConversationKey key = slackKey("timewarp");
        ConversationStore store = open();
        store.append(key, user("U1", "from the far future", Instant.parse("+12026-01-01T00:00:00Z")));
        store.append(key, user("U1", "from before 1970", Instant.parse("1900-01-01T00:00:00Z")));

        assertThat(dir.resolve("data/slack/T0001/C0001/2026/03/timewarp.json")).exists();
        assertThat(store.list(ConversationQuery.channel("slack", "T0001", "C0001"))).hasSize(1);
    }

    @Test
    void load_corruptFile_isQuarantinedAndTheBackupServedAndRestored() throws IOException {
        ConversationKey key = slackKey("damaged");
        Path file = storedTwice(key);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2)); // a torn write

        ConversationStore store = open();
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
    void forgetUser_alsoPurgesQuarantinedCopiesThatNameTheUser() throws IOException {
        ConversationStore store = open();
        store.append(slackKey("a"), user("UGONE", "secret-of-UGONE-0", t(0)));
        Path quarantined = dir.resolve("data/.quarantine/slack/T0001/C0001/2026/03/old.json.20260101T000000000Z");
        Files.createDirectories(quarantined.getParent());
        Files.writeString(quarantined, "{\"turns\":[{\"author_id\":\"UGONE\",\"text\":\"secret-of-UGONE-q\"");
        Path unrelated = quarantined.resolveSibling("other.json.20260101T000000000Z");
        Files.writeString(unrelated, "{\"turns\":[{\"author_id\":\"UKEEP\"");

        assertThat(store.forgetUser("slack", "UGONE")).isEqualTo(1);

        assertThat(quarantined).doesNotExist();
        assertThat(unrelated).exists();
    }

    @Test
    void append_afterTheCurrentFileAndBackupWereLost_keepsTheArchivedTurns() throws IOException {
        ConversationKey key = slackKey("survivor");
        ConversationStore first = openWithTurnsPerFile(4);
        for (int i = 0; i < 10; i++) {
            first.append(key, user("U1", "old " + i, t(i)));
        }
        int archived = first.load(key).orElseThrow().archivedTurns();
        first.close();
        assertThat(archived).isPositive();
        Path file = dir.resolve("data/slack/T0001/C0001/2026/03/survivor.json");
        Files.writeString(file, "garbage");
        Files.writeString(AtomicFiles.backupOf(file), "garbage");

        ConversationStore store = openWithTurnsPerFile(4);
        for (int i = 0; i < 10; i++) {
            store.append(key, user("U1", "new " + i, t(100 + i)));
        }

        List<String> texts = open().loadComplete(key).orElseThrow().turns().stream().map(Turn::text).toList();
        assertThat(texts).startsWith(IntStream.range(0, archived).mapToObj(i -> "old " + i).toArray(String[]::new));
        assertThat(texts).endsWith(IntStream.range(0, 10).mapToObj(i -> "new " + i).toArray(String[]::new));
    }

    @Test
    void forget_alsoDeletesQuarantinedCopiesOfTheThread() throws IOException {
        ConversationKey key = slackKey("q");
        Path file = storedTwice(key);
        Files.writeString(file, "damaged");
        ConversationStore store = open();
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
