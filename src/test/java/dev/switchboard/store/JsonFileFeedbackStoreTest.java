package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.Verdict;
import dev.switchboard.testing.Turns;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feedback contract on files, and where the files keep verdicts. */
class JsonFileFeedbackStoreTest extends FeedbackStoreContract {

    @TempDir
    Path dir;

    @Override
    protected ConversationStore create() {
        return new JsonFileConversationStore(FileStoreOptions.defaults(dir.resolve("data")), clock,
                new SimpleMeterRegistry());
    }

    @Test
    void verdicts_liveInTheThreadsPartition_checksummed_andAreNotListedAsThreads() throws IOException {
        ConversationKey key = new ConversationKey("slack", "T0001", "C0001", "1773568800.000100");
        ConversationStore store = open();
        store.append(key, Turns.user("U1", "q", clock.instant()));
        Turn answer = Turns.assistant("a", clock.instant());
        store.append(key, answer);
        store.giveFeedback(key, answer.messageIds().getFirst(), "U2", Verdict.GOOD, clock.instant());
        store.giveFeedback(key, answer.messageIds().getFirst(), "U2", Verdict.BAD, clock.instant());

        Path file = dir.resolve("data/slack/T0001/C0001/2026/03/.feedback/1773568800.000100.json");
        assertThat(Files.readString(file)).startsWith("{\"schema\":1,\"kind\":\"feedback\",\"body\":")
                .contains("\"crc32c\"").contains("BAD");
        assertThat(file.resolveSibling("1773568800.000100.json.bak")).exists();
        assertThat(store.list(new dev.switchboard.conversation.ConversationQuery("slack", null, null, null, null)))
                .hasSize(1);
        assertThat(store.stats().conversations()).isEqualTo(1);

        Files.writeString(file, "{broken");
        assertThat(store.feedback(key)).hasSize(1); // the backup is served

        store.forget(key);
        try (Stream<Path> left = Files.walk(dir.resolve("data"))) {
            assertThat(left.filter(p -> p.toString().contains(".feedback"))).isEmpty();
        }
    }
}
