package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.switchboard.conversation.Turn;
import dev.switchboard.testing.Turns;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptBuilderTest {

    private static final Instant NOW = Instant.parse("2026-11-24T09:05:00Z");

    private static String text(ChatMessage m) {
        return switch (m) {
            case SystemMessage s -> s.text();
            case UserMessage u -> u.singleText();
            case AiMessage a -> a.text();
            default -> m.toString();
        };
    }

    @Test
    void systemPrompt_fillsEveryPlaceholder() {
        assertThat(PromptBuilder.systemPrompt("{user} in {channel} on {date} at {time}.", "Ada", "#general", NOW))
                .isEqualTo("Ada in #general on 2026-11-24 at 09:05 UTC.");
        assertThat(PromptBuilder.systemPrompt("Hi {user} in {channel}", "", "", NOW))
                .isEqualTo("Hi the user in this conversation");
    }

    @Test
    void build_keepsTheSystemPromptAndTheNewestTurnsThatFit_andCountsTheRest() {
        List<Turn> history = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            history.add(i % 2 == 0 ? Turns.user("U1", "question " + i + " " + "x".repeat(300), NOW)
                    : Turns.assistant("answer " + i + " " + "y".repeat(300), NOW));
        }
        history.add(Turns.user("U1", "the last question", NOW));

        PromptBuilder.Prompt prompt = PromptBuilder.build("system", history, 8_192, 1.0);

        assertThat(text(prompt.messages().getFirst())).isEqualTo("system");
        assertThat(text(prompt.messages().getLast())).isEqualTo("the last question");
        assertThat(prompt.omittedTurns()).isPositive();
        assertThat(prompt.messages().size() - 1 + prompt.omittedTurns()).isEqualTo(history.size());
        assertThat(prompt.estimatedTokens()).isLessThanOrEqualTo(8_192 - 2_048);
        assertThat(prompt.messages().get(1)).as("history never opens with the assistant").isInstanceOf(UserMessage.class);
    }

    @Test
    void build_trimsHarderWithASmallerBudget() {
        List<Turn> history = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            history.add(Turns.user("U1", "turn " + i + " " + "z".repeat(200), NOW));
        }
        int full = PromptBuilder.build("s", history, 16_000, 1.0).messages().size();
        int half = PromptBuilder.build("s", history, 16_000, 0.5).messages().size();

        assertThat(full).isLessThan(201);
        assertThat(half).isLessThan(full);
    }

    @Test
    void build_theMessageToAnswerAlwaysGoes_evenOverBudget() {
        List<Turn> history = List.of(Turns.user("U1", "w".repeat(100_000), NOW));

        PromptBuilder.Prompt prompt = PromptBuilder.build("s", history, 8_192, 1.0);

        assertThat(prompt.messages()).hasSize(2);
        assertThat(prompt.omittedTurns()).isZero();
    }

    @Test
    void build_namesAuthorsOnlyWhenSeveralPeopleTalk() {
        List<Turn> alone = List.of(Turn.user("U1", "Ada", "hello", NOW, List.of()));
        List<Turn> together = List.of(Turn.user("U1", "Ada", "hello", NOW, List.of()),
                Turn.user("U2", "Grace", "hi both", NOW, List.of()));

        assertThat(text(PromptBuilder.build("s", alone, 8_192, 1).messages().get(1))).isEqualTo("hello");
        assertThat(PromptBuilder.build("s", together, 8_192, 1).messages()).extracting(PromptBuilderTest::text)
                .containsExactly("s", "Ada: hello", "Grace: hi both");
    }

    @Test
    void build_withASummary_putsItMarkedAfterTheSystemPrompt_countsItInTheBudget_andNeverAsATurn() {
        List<Turn> history = new ArrayList<>();
        history.add(Turn.summary("SUMMARY: they planned a trip to Lisbon.", NOW,
                new dev.switchboard.conversation.SummaryMeta(250, "openai", "gpt-5.4-mini")));
        for (int i = 0; i < 60; i++) {
            history.add(i % 2 == 0 ? Turns.user("U1", "question " + i + " " + "x".repeat(300), NOW)
                    : Turns.assistant("answer " + i + " " + "y".repeat(300), NOW));
        }
        history.add(Turns.user("U1", "the last question", NOW));

        PromptBuilder.Prompt prompt = PromptBuilder.build("system", history, 8_192, 1.0);

        String system = text(prompt.messages().getFirst());
        assertThat(system).startsWith("system\n\n[Summary of the earlier conversation, turns 1-250")
                .endsWith("SUMMARY: they planned a trip to Lisbon.");
        assertThat(prompt.messages()).filteredOn(m -> !(m instanceof SystemMessage))
                .noneMatch(m -> text(m).contains("Lisbon"));
        assertThat(text(prompt.messages().getLast())).isEqualTo("the last question");
        assertThat(prompt.omittedTurns()).as("the summary is no turn of its own").isPositive();
        assertThat(prompt.messages().size() - 1 + prompt.omittedTurns()).isEqualTo(history.size() - 1);
        assertThat(prompt.estimatedTokens()).isLessThanOrEqualTo(8_192 - 2_048)
                .isGreaterThan(PromptBuilder.estimate(system));
    }

    @Test
    void build_withoutASummary_leavesTheSystemPromptAlone() {
        PromptBuilder.Prompt prompt = PromptBuilder.build("system", List.of(Turns.user("U1", "hi", NOW)), 8_192, 1.0);

        assertThat(prompt.messages()).extracting(PromptBuilderTest::text).containsExactly("system", "hi");
    }
}
