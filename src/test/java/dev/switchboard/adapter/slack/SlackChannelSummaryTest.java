package dev.switchboard.adapter.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.model.Message;
import dev.switchboard.answering.ThreadContext;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.testing.FakeSlack;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The channel summary's checks and formatting, against FakeSlack through the real client. */
class SlackChannelSummaryTest {

    private final FakeSlack fake = FakeSlack.start().user("U1", "Ada").user("U2", "Bo")
            .channel("C1", "general").channelWithoutBot("C9", "secret");
    private final Slack slack = Slack.getInstance(config());
    private final SlackApi api = new SlackApi(slack.methods(FakeSlack.BOT_TOKEN));
    private final SlackChannelSummary summary = new SlackChannelSummary(new SlackAgentApi(api), api, 3,
            new SwitchboardConfig.RateLimit(1, Duration.ofHours(1)));

    private SlackConfig config() {
        SlackConfig c = new SlackConfig();
        c.setMethodsEndpointUrlPrefix(fake.apiUrl());
        return c;
    }

    @AfterEach
    void close() throws Exception {
        api.close();
        slack.close();
        fake.close();
    }

    private static Message message(String ts, String user, String text, String subtype) {
        Message m = new Message();
        m.setTs(ts);
        m.setUser(user);
        m.setText(text);
        m.setSubtype(subtype);
        return m;
    }

    @Test
    void mentionsAreDefusedAndNamesResolved() {
        assertThat(summary.defuse("hi <@U1>, <!here> <!channel|channel> <!everyone> <!subteam^S1|@ops> in"
                + " <#C1|general>: <https://x.example/a|docs> <https://y.example> <!date^1|x> a < b"))
                .isEqualTo("hi @Ada, @here @channel @everyone @ops in #general: docs (https://x.example/a)"
                        + " https://y.example  a ‹ b");
    }

    @Test
    void messagesAreQuotedOldestFirstWithoutJoinsAndWithinTheLimit() {
        String text = summary.format(List.of(message("1700000200.000100", "U2", "second\nline", null),
                message("1700000150.000100", "U1", "has joined", "channel_join"),
                message("1700000100.000100", "U1", "first", null)));
        assertThat(text).isEqualTo("[2023-11-14 22:15 UTC] Ada: first\n[2023-11-14 22:16 UTC] Bo: second\n    line\n");
        String longOne = summary.format(List.of(message("1700000100.000100", "U1", "x".repeat(5_000), null)));
        assertThat(longOne).hasSizeLessThan(SlackChannelSummary.MAX_MESSAGE_CHARS + 40).contains("…");
    }

    @Test
    void aSummaryNeedsTheUserAndTheBotInTheChannel_andSpendsItsOwnBudget() {
        fake.agent().members("C1", "U1").members("C9", "U1");
        fake.post("C1", "U2", "hello");
        assertThat(summary.context("C9", "U1")).isInstanceOf(ThreadContext.Refuse.class)
                .extracting(c -> ((ThreadContext.Refuse) c).line()).asString().contains("/invite");
        assertThat(summary.context("C1", "U2")).isEqualTo(new ThreadContext.Refuse(
                SlackChannelSummary.USER_NOT_MEMBER));
        assertThat(summary.context(null, "U1")).isEqualTo(new ThreadContext.Refuse(
                SlackChannelSummary.UNKNOWN_CHANNEL));
        assertThat(summary.context("C1", "U1")).isInstanceOf(ThreadContext.Extra.class)
                .extracting(c -> ((ThreadContext.Extra) c).text()).asString().contains("Bo: hello")
                .contains("#general");
        assertThat(fake.count("conversations.history")).isEqualTo(1);
    }
}
