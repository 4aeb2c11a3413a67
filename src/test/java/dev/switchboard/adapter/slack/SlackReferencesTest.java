package dev.switchboard.adapter.slack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.admin.Admin;
import dev.switchboard.conversation.ConversationKey;
import org.junit.jupiter.api.Test;

/** How admin commands on Slack name a channel or a thread, as Slack delivers the text (should_escape on). */
class SlackReferencesTest {

    private final Admin.Places places = SlackPlaces.places("T1", "C9");

    private static ConversationKey key(String channel, String thread) {
        return new ConversationKey("slack", "T1", channel, thread);
    }

    @Test
    void channelMentionsAsSlackEscapesThem() {
        assertThat(places.channel("<#C0123ABCD|general>")).isEqualTo(key("C0123ABCD", SlackPlaces.CHANNEL_SCOPE));
        assertThat(places.channel("<#C0123ABCD>")).isEqualTo(key("C0123ABCD", SlackPlaces.CHANNEL_SCOPE));
        assertThat(places.channel("<#D0123ABCD>")).isEqualTo(key("D0123ABCD", SlackPlaces.DM_THREAD));
        assertThat(places.channel("#general")).as("a plain name needs a lookup Slack spares us").isNull();
        assertThat(places.channel("<#C01/../x|x>")).isNull();
    }

    @Test
    void messageLinksAndThreadTimestamps() {
        // The thread's parent: its own ts is the thread.
        assertThat(places.thread("<https://acme.slack.com/archives/C0123ABCD/p1700000000123456>"))
                .isEqualTo(key("C0123ABCD", "1700000000.123456"));
        // A reply in a thread, as pasted (Slack escapes & in text).
        assertThat(places.thread("<https://acme.slack.com/archives/C0123ABCD/p1700000050000200"
                + "?thread_ts=1700000000.123456&amp;cid=C0123ABCD>")).isEqualTo(key("C0123ABCD", "1700000000.123456"));
        assertThat(places.thread("<https://acme.slack.com/archives/C0123ABCD/p1700000000123456|a message>"))
                .isEqualTo(key("C0123ABCD", "1700000000.123456"));
        // A direct message without a thread is the DM's one conversation.
        assertThat(places.thread("https://acme.slack.com/archives/D0123ABCD/p1700000000123456"))
                .isEqualTo(key("D0123ABCD", SlackPlaces.DM_THREAD));
        assertThat(places.thread("1700000000.123456")).isEqualTo(key("C9", "1700000000.123456"));
        assertThat(places.thread("../../etc/passwd")).isNull();
        assertThat(places.thread("https://evil.example/archives/C1/../../x")).isNull();
    }
}
