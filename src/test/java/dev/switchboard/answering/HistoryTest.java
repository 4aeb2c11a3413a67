package dev.switchboard.answering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.SummaryMeta;
import dev.switchboard.conversation.Turn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistoryTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final ConversationKey KEY = new ConversationKey("slack", "T1", "C1", "th");

    private static Turn user(int i) {
        return Turn.user("U1", "Ada", "q" + i, T0.plusSeconds(i * 10L), List.of("m" + i));
    }

    private static Turn answer(int i) {
        return Turn.assistant("B1", "a" + i, T0.plusSeconds(i * 10L + 1), List.of("r" + i),
                new AssistantMeta("p", "m", List.of(), null, null, null, "m" + i));
    }

    private static Turn summary(int through, String text, int at) {
        return Turn.summary(text, T0.plusSeconds(at), new SummaryMeta(through, "p", "m"));
    }

    @Test
    void forPrompt_putsTheNewestSummaryFirstAndDropsTheTurnsItCovers_countingArchivedTurns() {
        // Turns 1-10 were archived; the recent ones are 11 onwards.
        List<Turn> recent = new ArrayList<>();
        for (int i = 6; i < 12; i++) {
            recent.add(user(i));
            recent.add(answer(i));
        }
        recent.add(summary(12, "old summary", 200));       // turn 23
        recent.add(summary(16, "newer summary", 201));     // turn 24: covers turns 1-16 (q6..a8)
        recent.add(user(12));
        Conversation c = new Conversation(KEY, T0, T0, Map.of(), 10, recent);

        List<Turn> prompt = History.forPrompt(c, "m12");

        assertThat(prompt.getFirst().text()).isEqualTo("newer summary");
        assertThat(prompt.subList(1, prompt.size())).extracting(Turn::text)
                .containsExactly("q9", "a9", "q10", "a10", "q11", "a11", "q12");
    }

    @Test
    void forPrompt_withoutASummary_isUpTo_andASummaryCoveringTheMessageIsNotUsed() {
        List<Turn> turns = List.of(user(1), answer(1), user(2), summary(3, "covers q2", 100), user(3));
        Conversation c = new Conversation(KEY, T0, T0, Map.of(), 0, turns);

        assertThat(History.forPrompt(c, "m2")).extracting(Turn::text).containsExactly("q1", "a1", "q2");
        assertThat(History.forPrompt(c, "m3")).extracting(Turn::text).containsExactly("covers q2", "q3");
        Conversation none = new Conversation(KEY, T0, T0, Map.of(), 0, List.of(user(1), answer(1), user(2)));
        assertThat(History.forPrompt(none, "m2")).extracting(Turn::text).containsExactly("q1", "a1", "q2");
    }
}
