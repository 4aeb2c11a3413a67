package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FormatterTest {

    @Test
    void toSlack_convertsTheMarkdownSlackDoesNotSpeak() {
        assertThat(Formatter.toSlack("**bold** and *italic* and __also bold__ and ~~gone~~"))
                .isEqualTo("*bold* and _italic_ and *also bold* and ~gone~");
        assertThat(Formatter.toSlack("# Title\n## Sub title ##")).isEqualTo("*Title*\n*Sub title*");
        assertThat(Formatter.toSlack("- one\n* two\n  + nested")).isEqualTo("• one\n• two\n  • nested");
        assertThat(Formatter.toSlack("see [the docs](https://example.com/a?b=1&c=2) now"))
                .isEqualTo("see <https://example.com/a?b=1&amp;c=2|the docs> now");
        assertThat(Formatter.toSlack("**[bold link](https://x.io)**")).isEqualTo("*<https://x.io|bold link>*");
    }

    @Test
    void toSlack_escapesControlCharacters_soNoMentionOrLinkCanForm() {
        assertThat(Formatter.toSlack("ping <!channel> and <@U123> & 1 < 2"))
                .isEqualTo("ping &lt;!channel&gt; and &lt;@U123&gt; &amp; 1 &lt; 2");
        assertThat(Formatter.toSlack("hey @channel and @here")).doesNotContain("@channel", "@here")
                .contains("@\u200bchannel");
    }

    @Test
    void toSlack_leavesCodeAlone_butEscaped() {
        String code = "```java\nint x = a ** b; // *not italic* <T>\n```";
        assertThat(Formatter.toSlack(code)).isEqualTo("```java\nint x = a ** b; // *not italic* &lt;T&gt;\n```");
        assertThat(Formatter.toSlack("use `**kwargs` here **now**")).isEqualTo("use `**kwargs` here *now*");
        assertThat(Formatter.toSlack("unclosed\n```\n**raw")).isEqualTo("unclosed\n```\n**raw");
    }

    @Test
    void toDiscord_keepsMarkdown_butNeutralisesEveryMention() {
        String out = Formatter.toDiscord("**hi** @everyone and @here, <@123456789012345678>, <@!42>, <@&77>, <#99>");

        assertThat(out).startsWith("**hi** ").doesNotContain("@everyone", "@here", "<@1", "<@!4", "<@&7", "<#9");
        assertThat(out.replace("\u200b", "")).isEqualTo(
                "**hi** @everyone and @here, <@123456789012345678>, <@!42>, <@&77>, <#99>");
        assertThat(Formatter.toDiscord("```\n@everyone in code\n```")).isEqualTo("```\n@everyone in code\n```");
    }
}
