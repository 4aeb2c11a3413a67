package dev.switchboard.store;

import static dev.switchboard.testing.Turns.assistant;
import static dev.switchboard.testing.Turns.slackKey;
import static dev.switchboard.testing.Turns.user;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.ConversationExport;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Feedback;
import dev.switchboard.conversation.FeedbackTally;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.Verdict;
import dev.switchboard.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every store guarantees about verdicts on answers ({@link dev.switchboard.conversation.FeedbackStore}),
 * whatever keeps the data. A backend's test extends this and says how to open its store on this test's data.
 */
abstract class FeedbackStoreContract {

    protected final MutableClock clock = MutableClock.at("2026-03-15T10:00:00Z");
    private final List<ConversationStore> opened = new ArrayList<>();

    /** A fresh store on this test's data, as after a restart. */
    protected abstract ConversationStore create();

    protected final ConversationStore open() {
        ConversationStore store = create();
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(ConversationStore::close);
    }

    private Instant t(int minutes) {
        return clock.instant().plus(Duration.ofMinutes(minutes));
    }

    /** A thread with a question and its answer; returns the answer turn. */
    private Turn answered(ConversationStore store, ConversationKey key, String question) {
        store.append(key, user("U1", question, t(0)));
        Turn answer = assistant("answer to " + question, t(1));
        store.append(key, answer);
        return answer;
    }

    @Test
    void give_storesTheVerdictWithWhoAnswered_andSurvivesARestart() {
        ConversationKey key = slackKey("1773568800.000100");
        ConversationStore store = open();
        Turn answer = answered(store, key, "why");

        Feedback.Given given = store.giveFeedback(key, answer.messageIds().getFirst(), "U2", Verdict.GOOD, t(2))
                .orElseThrow();

        Feedback expected = new Feedback(answer.messageIds().getFirst(), "U2", Verdict.GOOD, t(2), "anthropic",
                "claude-3-5-haiku-latest");
        assertThat(given).isEqualTo(new Feedback.Given(expected, null));
        assertThat(given.changed()).isTrue();
        store.close();
        assertThat(open().feedback(key)).containsExactly(expected);
    }

    @Test
    void give_aSecondPressBySamePersonReplacesTheFirst_onAnyMessageOfTheAnswer() {
        ConversationKey key = slackKey("1773568800.000200");
        ConversationStore store = open();
        Turn answer = answered(store, key, "split");

        store.giveFeedback(key, answer.messageIds().getFirst(), "U2", Verdict.GOOD, t(2));
        Feedback.Given again = store.giveFeedback(key, answer.messageIds().get(1), "U2", Verdict.BAD, t(3))
                .orElseThrow();
        Feedback.Given same = store.giveFeedback(key, answer.messageIds().get(1), "U2", Verdict.BAD, t(4))
                .orElseThrow();

        assertThat(again.replaced()).isEqualTo(Verdict.GOOD);
        assertThat(again.feedback().answer()).isEqualTo(answer.messageIds().getFirst());
        assertThat(same.changed()).isFalse();
        assertThat(store.feedback(key)).extracting(Feedback::userId, Feedback::verdict, Feedback::at)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("U2", Verdict.BAD, t(4)));
    }

    @Test
    void give_eachPersonCountsOnce_andTheTallyAddsUpByModel() {
        ConversationKey one = slackKey("1773568800.000300");
        ConversationKey two = new ConversationKey("discord", "G1", "C9", "T9");
        ConversationStore store = open();
        Turn a = answered(store, one, "first");
        Turn b = answered(store, two, "second");

        store.giveFeedback(one, a.messageIds().getFirst(), "U1", Verdict.GOOD, t(2));
        store.giveFeedback(one, a.messageIds().getFirst(), "U2", Verdict.BAD, t(3));
        store.giveFeedback(two, b.messageIds().getFirst(), "U1", Verdict.GOOD, t(4));

        assertThat(store.feedback(one)).hasSize(2);
        assertThat(open().feedbackTally(Instant.EPOCH)).containsExactly(
                new FeedbackTally("anthropic", "claude-3-5-haiku-latest", 2, 1));
        assertThat(store.feedbackTally(Instant.EPOCH).getFirst().goodPercent()).isEqualTo(67);
        assertThat(store.feedbackTally(t(3))).as("given since").containsExactly(
                new FeedbackTally("anthropic", "claude-3-5-haiku-latest", 1, 1));
    }

    @Test
    void give_storesNothingForWhatIsNotAnAnswerOfThatThread() {
        ConversationKey key = slackKey("1773568800.000400");
        ConversationStore store = open();
        Turn answer = answered(store, key, "real");
        String question = "m-" + "real".hashCode();
        String answerId = answer.messageIds().getFirst();

        assertThat(store.giveFeedback(key, question, "U2", Verdict.GOOD, t(2))).isEmpty();
        assertThat(store.giveFeedback(key, "no-such-message", "U2", Verdict.GOOD, t(2))).isEmpty();
        assertThat(store.giveFeedback(new ConversationKey("slack", "T0001", "C0002", key.thread()), answerId, "U2",
                Verdict.GOOD, t(2))).isEmpty();
        assertThat(store.giveFeedback(new ConversationKey("slack", "T0OTHER", "C0001", key.thread()), answerId,
                "U2", Verdict.GOOD, t(2))).isEmpty();
        assertThat(store.giveFeedback(slackKey("1773568899.000001"), answerId, "U2", Verdict.GOOD, t(2))).isEmpty();
        // A failure's message is the bot's, but no model answered it.
        store.append(key, Turn.assistant("B0001", "No model could answer.", t(3), List.of("fail-1"),
                new dev.switchboard.conversation.AssistantMeta("", "", List.of(), null, null, null)));
        assertThat(store.giveFeedback(key, "fail-1", "U2", Verdict.BAD, t(4))).isEmpty();

        assertThat(store.feedback(key)).isEmpty();
        assertThat(store.feedbackTally(Instant.EPOCH)).isEmpty();
    }

    @Test
    void forgetting_takesTheVerdictsWithTheThreadOrTheUser() {
        ConversationKey kept = slackKey("1773568800.000500");
        ConversationKey forgotten = slackKey("1773568800.000600");
        ConversationStore store = open();
        Turn a = answered(store, kept, "keep");
        Turn b = answered(store, forgotten, "drop");
        store.giveFeedback(kept, a.messageIds().getFirst(), "U7", Verdict.GOOD, t(2));
        store.giveFeedback(kept, a.messageIds().getFirst(), "U8", Verdict.BAD, t(2));
        store.giveFeedback(forgotten, b.messageIds().getFirst(), "U8", Verdict.GOOD, t(2));

        assertThat(store.forget(forgotten)).isTrue();
        // U7 wrote nothing in the thread: their verdict goes all the same.
        store.forgetUser("slack", "U7");

        assertThat(store.feedback(forgotten)).isEmpty();
        assertThat(open().feedback(kept)).extracting(Feedback::userId).containsExactly("U8");
        assertThat(store.feedbackTally(Instant.EPOCH)).containsExactly(
                new FeedbackTally("anthropic", "claude-3-5-haiku-latest", 0, 1));
        store.forget(kept); // retention deletes threads with forget: the same path
        assertThat(store.feedbackTally(Instant.EPOCH)).isEmpty();
    }

    @Test
    void export_carriesTheVerdicts() {
        ConversationKey key = slackKey("1773568800.000700");
        ConversationStore store = open();
        Turn answer = answered(store, key, "export me");
        store.giveFeedback(key, answer.messageIds().getFirst(), "U5", Verdict.BAD, t(2));

        String json = new String(ConversationExport.of(store.loadComplete(key).orElseThrow(), store.feedback(key),
                t(5)).toJson(), StandardCharsets.UTF_8);

        assertThat(json).contains("\"feedback\"").contains("\"U5\"").contains("\"BAD\"")
                .contains("\"answer\" : \"" + answer.messageIds().getFirst() + "\"");
    }
}
