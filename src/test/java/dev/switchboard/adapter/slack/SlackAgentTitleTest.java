package dev.switchboard.adapter.slack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlackAgentTitleTest {

    @Test
    void aTitleIsTheQuestionsFirstLineCutAtAWord() {
        assertThat(SlackAgent.title("  What is   new?\nmore")).isEqualTo("What is new?");
        assertThat(SlackAgent.title("\n\n")).isEqualTo("New chat");
        String cut = SlackAgent.title("word ".repeat(40));
        assertThat(cut).endsWith("…").hasSizeLessThanOrEqualTo(SlackAgent.MAX_TITLE_CHARS);
        assertThat(cut.replace("…", "").strip()).matches("(word ?)+");
        assertThat(SlackAgent.title("x".repeat(200))).hasSize(SlackAgent.MAX_TITLE_CHARS);
    }
}
