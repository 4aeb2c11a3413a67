package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The platform-neutral seam: prose and code rewritten apart. Each platform's own formatting is tested beside its
 * adapter (SlackMarkdownTest, DiscordMarkdownTest).
 */
class FormatterTest {

    private final Formatter marked = Formatter.byPart(prose -> "[" + prose + "]", code -> "{" + code + "}");

    @Test
    void byPart_rewritesProseAndCodeApart() {
        assertThat(marked.format("say `x` now")).isEqualTo("[say ]{`x`}[ now]");
        assertThat(marked.format("a\n```java\nint x;\n```\nb")).isEqualTo("[a\n]{```java\nint x;\n```}[\nb]");
        assertThat(marked.format("")).isEmpty();
    }

    @Test
    void byPart_treatsAnUnclosedFenceAsCodeToTheEnd_andALoneBacktickAsProse() {
        assertThat(marked.format("unclosed\n```\n**raw")).isEqualTo("[unclosed\n]{```\n**raw}");
        assertThat(marked.format("a ` b\nc`")).isEqualTo("[a ` b\nc`]");
        assertThat(marked.format("mid ``` line")).as("a fence only opens a line").isEqualTo("[mid ]{``}[` line]");
    }
}
