package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** slack.assistant: defaults, overrides, and clear errors for what Slack would refuse. */
class SlackAssistantConfigTest {

    private final ConfigLoader loader = new ConfigLoader();

    private SwitchboardConfig parse(String assistant) {
        return loader.parse("slack:\n  assistant:\n" + assistant.indent(4), "test.yaml", Map.of()).config();
    }

    @Test
    void defaultsAreOffWithThreePromptsOneOfThemTheSummary() {
        SlackAssistant a = loader.parse("", "test.yaml", Map.of()).config().slack().assistant();
        assertThat(a.enabled()).isFalse();
        assertThat(a.suggestedPrompts()).hasSize(3).first().extracting(SlackAssistant.Prompt::message)
                .isEqualTo(SlackAssistant.DEFAULT_SUMMARY);
        assertThat(a.loadingMessages()).isNotEmpty().allMatch(l -> l.length() <= 50);
    }

    @Test
    void aChannelsPromptsWinOverItsWorkspaces() {
        SlackAssistant a = parse("""
                enabled: true
                prompt_overrides:
                  T1: [{title: a, message: workspace}]
                  C1: [{title: b, message: channel}]
                """).slack().assistant();
        assertThat(a.promptsFor("T1", "C1")).extracting(SlackAssistant.Prompt::message).containsExactly("channel");
        assertThat(a.promptsFor("T1", "C2")).extracting(SlackAssistant.Prompt::message).containsExactly("workspace");
        assertThat(a.promptsFor("T2", null)).isEqualTo(a.suggestedPrompts());
    }

    @Test
    void whatSlackWouldRefuseIsAConfigErrorNamingTheKey() {
        assertThatThrownBy(() -> parse("suggested_prompts: [{title: a, message: b}, {title: a, message: b},"
                + " {title: a, message: b}, {title: a, message: b}, {title: a, message: b}]"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("slack.assistant.suggested_prompts")
                .hasMessageContaining("at most 4");
        assertThatThrownBy(() -> parse("prompt_overrides: {C1: [{title: a}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("title and a message");
        assertThatThrownBy(() -> parse("loading_messages: []"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("slack.assistant.loading_messages")
                .hasMessageContaining("1 to 10");
        assertThatThrownBy(() -> parse("loading_messages: [\"" + "x".repeat(51) + "\"]"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("50 characters");
        assertThatThrownBy(() -> parse("loading_messages: [\"one, two\"]"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("without a comma");
        assertThatThrownBy(() -> parse("prompt_overrides: {general: []}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a workspace or channel id");
    }
}
