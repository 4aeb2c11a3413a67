package dev.switchboard.adapter.discord;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Discord's side of formatting (moved from live's FormatterTest with its assertions unchanged). */
class DiscordMarkdownTest {

    @Test
    void toDiscord_keepsMarkdown_butNeutralisesEveryMention() {
        String out = DiscordMarkdown.toDiscord("**hi** @everyone and @here, <@123456789012345678>, <@!42>, <@&77>, <#99>");

        assertThat(out).startsWith("**hi** ").doesNotContain("@everyone", "@here", "<@1", "<@!4", "<@&7", "<#9");
        assertThat(out.replace("\u200b", "")).isEqualTo(
                "**hi** @everyone and @here, <@123456789012345678>, <@!42>, <@&77>, <#99>");
        assertThat(DiscordMarkdown.toDiscord("```\n@everyone in code\n```")).isEqualTo("```\n@everyone in code\n```");
    }
}
