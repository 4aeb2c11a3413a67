package dev.switchboard.adapter.slack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Slack's side of formatting (moved from live's FormatterTest with its assertions unchanged). */
class SlackMarkdownTest {

    @Test
    void toSlack_convertsTheMarkdownSlackDoesNotSpeak() {
        assertThat(SlackMarkdown.toSlack("**bold** and *italic* and __also bold__ and ~~gone~~"))
                .isEqualTo("*bold* and _italic_ and *also bold* and ~gone~");
        assertThat(SlackMarkdown.toSlack("# Title\n## Sub title ##")).isEqualTo("*Title*\n*Sub title*");
        assertThat(SlackMarkdown.toSlack("- one\n* two\n  + nested")).isEqualTo("• one\n• two\n  • nested");
        assertThat(SlackMarkdown.toSlack("see [the docs](https://example.com/a?b=1&c=2) now"))
                .isEqualTo("see <https://example.com/a?b=1&amp;c=2|the docs> now");
        assertThat(SlackMarkdown.toSlack("**[bold link](https://x.io)**")).isEqualTo("*<https://x.io|bold link>*");
    }

    @Test
    void toSlack_escapesControlCharacters_soNoMentionOrLinkCanForm() {
        assertThat(SlackMarkdown.toSlack("ping <!channel> and <@U123> & 1 < 2"))
                .isEqualTo("ping &lt;!channel&gt; and &lt;@U123&gt; &amp; 1 &lt; 2");
        assertThat(SlackMarkdown.toSlack("hey @channel and @here")).doesNotContain("@channel", "@here")
                .contains("@\u200bchannel");
    }

    @Test
    void toSlack_leavesCodeAlone_butEscaped() {
        String code = "```java\nint x = a ** b; // *not italic* <T>\n```";
        assertThat(SlackMarkdown.toSlack(code)).isEqualTo("```java\nint x = a ** b; // *not italic* &lt;T&gt;\n```");
        assertThat(SlackMarkdown.toSlack("use `**kwargs` here **now**")).isEqualTo("use `**kwargs` here *now*");
        assertThat(SlackMarkdown.toSlack("unclosed\n```\n**raw")).isEqualTo("unclosed\n```\n**raw");
    }

    @Test
    void stream_keepsStandardMarkdown_butNoMentionOrCommandCanForm() {
        String out = SlackMarkdown.STREAM.format("**hi** <!channel> <@U123> <#C1> `<!here>`");

        assertThat(out).startsWith("**hi** ").doesNotContain("<!", "<@", "<#");
        assertThat(out.replace("\u200b", "")).isEqualTo("**hi** <!channel> <@U123> <#C1> `<!here>`");
    }

    @Test
    void theSinksFormatWithSlacksFormatters() {
        assertThat(new SlackSink(null, "C1", null, "1.000001", () -> { }).format("**a** <@U1>"))
                .isEqualTo("*a* &lt;@U1&gt;");
        assertThat(new SlackStreamSink(null, "C1", "1.1", null, null).format("<@U1>")).isEqualTo("<\u200b@U1>");
    }
}
