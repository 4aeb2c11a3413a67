package dev.switchboard.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.LeaseLostException;
import dev.switchboard.conversation.LeaseToken;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.conversation.Turn;
import dev.switchboard.testing.PostgresDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fenced thread leases: the holder is named to a node that asks for a held thread, every takeover takes a new epoch
 * (also after the lease row was given up and made again), and an answer stored under an older epoch is refused.
 */
class PostgresLeasesTest {

    private static final ConversationKey KEY = new ConversationKey("test", "W1", "C1", "100.000");
    private static final Duration LEASE = Duration.ofMillis(300);

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    private PostgresStorage storage;
    private ConversationStore store;

    @BeforeEach
    void open() {
        storage = PostgresStorage.open(db.options(), Clock.systemUTC(), new SimpleMeterRegistry());
        store = storage.conversations(new PostgresStorage.Limits(40_000, 64, 1 << 20));
        store.append(KEY, Turn.user("U1", "Ada", "question", Instant.now(), List.of("m1"), List.of()));
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private static Turn answer(String text) {
        return Turn.assistant("BOT", text, Instant.now(), List.of("post"), new AssistantMeta("p", "m", List.of(),
                TokenUsage.NONE, Duration.ZERO, Duration.ZERO, "m1"));
    }

    private static LeaseToken token(String node, PostgresLeases.Grant grant) {
        return new LeaseToken(node, ((PostgresLeases.Granted) grant).epoch());
    }

    @Test
    void aTakeoverTakesANewEpoch_andTheStaleHoldersAnswerIsRefused() {
        PostgresLeases a = storage.cluster("a", LEASE).leases();
        PostgresLeases b = storage.cluster("b", LEASE).leases();
        PostgresLeases.Grant first = a.acquire(KEY);
        assertThat(first).isInstanceOf(PostgresLeases.Granted.class);
        assertThat(a.acquire(KEY)).as("kept by its holder under the same epoch").isEqualTo(first);
        assertThat(b.acquire(KEY)).isEqualTo(new PostgresLeases.HeldElsewhere(first.conversationId(), "a"));
        assertThat(a.unanswered(KEY)).extracting(t -> t.messageIds().getFirst()).containsExactly("m1");

        // a stalls past its lease; b takes the thread over under a newer epoch and answers
        await().atMost(Duration.ofSeconds(3)).until(() -> b.acquire(KEY) instanceof PostgresLeases.Granted);
        PostgresLeases.Grant taken = b.acquire(KEY);
        assertThat(token("b", taken).epoch()).isGreaterThan(token("a", first).epoch());
        store.append(KEY, answer("b's answer"), token("b", taken));

        assertThatThrownBy(() -> store.append(KEY, answer("a's late answer"), token("a", first)))
                .isInstanceOf(LeaseLostException.class);
        store.putMetadata(KEY, "shown_for.m1", "a1");
        assertThatThrownBy(() -> store.appendAnswer(KEY, answer("a's late answer"), token("a", first),
                "shown_for.m1")).isInstanceOf(LeaseLostException.class);
        assertThat(store.load(KEY).orElseThrow().metadata()).as("refused whole: the note stays")
                .containsEntry("shown_for.m1", "a1");
        // b gives the thread up, a takes it again: a new epoch, so a's old reply still cannot store
        storage.cluster("b", LEASE).release(taken.conversationId());
        PostgresLeases.Grant again = a.acquire(KEY);
        assertThat(token("a", again).epoch()).isGreaterThan(token("b", taken).epoch());
        assertThatThrownBy(() -> store.append(KEY, answer("a's late answer"), token("a", first)))
                .isInstanceOf(LeaseLostException.class);

        assertThat(store.loadComplete(KEY).orElseThrow().turns()).filteredOn(t -> t.role() == Role.ASSISTANT)
                .extracting(Turn::text).containsExactly("b's answer");
        assertThat(a.unanswered(KEY)).isEmpty();
    }
}
