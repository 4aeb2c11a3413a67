package dev.switchboard.adapter.slack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.adapter.slack.SlackRules.Decision;
import dev.switchboard.adapter.slack.SlackRules.Said;
import dev.switchboard.config.SwitchboardConfig;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Which Slack messages are answered, and where, without Slack or a store: the rules alone. */
class SlackRulesTest {

    private static final String BOT = "UBOT";
    private static final SwitchboardConfig.SlackAccess OPEN = new SwitchboardConfig.SlackAccess(List.of(), List.of(),
            List.of(), List.of());
    private static final Predicate<String> KNOWS_NONE = ts -> false;

    private static Said said(String channel, String user, String text, String ts, String threadTs) {
        return new Said("T1", channel, channel.startsWith("D") ? "im" : "channel", user, null, text, ts, threadTs,
                false);
    }

    private static Decision decide(Said m, boolean follow, Predicate<String> knows) {
        return SlackRules.decide(m, BOT, follow, OPEN, knows);
    }

    @Test
    void decide_mentionInAChannel_opensAThreadOnTheMessage_withoutTheMention() {
        assertThat(decide(said("C1", "U1", "<@UBOT> what is 2+2?", "10.1", null), true, KNOWS_NONE))
                .isEqualTo(new Decision.Answer("10.1", "10.1", "what is 2+2?", false));
        assertThat(decide(said("C1", "U1", "<@UBOT> and then?", "11.1", "10.1"), true, KNOWS_NONE))
                .as("a mention inside a thread answers in that thread")
                .isEqualTo(new Decision.Answer("10.1", "10.1", "and then?", false));
        Said appMention = new Said("T1", "C1", null, "U1", null, "hi", "12.1", null, true);
        assertThat(decide(appMention, true, KNOWS_NONE)).isEqualTo(new Decision.Answer("12.1", "12.1", "hi", false));
    }

    @Test
    void decide_threadMessageWithoutMention_isAnsweredOnlyInAThreadTheBotTakesPartIn_whenFollowing() {
        Said followUp = said("C1", "U1", "and in French?", "11.1", "10.1");
        Predicate<String> knows = Set.of("10.1")::contains;

        assertThat(decide(followUp, true, knows)).isEqualTo(new Decision.Answer("10.1", "10.1", "and in French?",
                false));
        assertThat(decide(followUp, true, KNOWS_NONE)).isInstanceOf(Decision.Ignore.class);
        assertThat(decide(followUp, false, knows)).as("follow_threads off").isInstanceOf(Decision.Ignore.class);
        assertThat(decide(said("C1", "U1", "chatter", "12.1", null), true, knows)).isInstanceOf(Decision.Ignore.class);
    }

    @Test
    void decide_directMessages_areOneConversation_unlessWrittenInAThread() {
        assertThat(decide(said("D1", "U1", "hello", "10.1", null), true, KNOWS_NONE))
                .isEqualTo(new Decision.Answer(SlackPlaces.DM_THREAD, null, "hello", true));
        assertThat(decide(said("D1", "U1", "more", "11.1", "10.1"), true, KNOWS_NONE))
                .isEqualTo(new Decision.Answer("10.1", "10.1", "more", true));
    }

    @Test
    void decide_botsTheBotItselfAndSystemMessages_areIgnored() {
        assertThat(decide(new Said("T1", "C1", "channel", "U2", "B9", "<@UBOT> hi", "10.1", null, false), true,
                KNOWS_NONE)).isInstanceOf(Decision.Ignore.class);
        assertThat(decide(said("C1", BOT, "<@UBOT> hi", "10.1", null), true, KNOWS_NONE))
                .isInstanceOf(Decision.Ignore.class);
        assertThat(decide(said("C1", null, "joined", "10.1", null), true, KNOWS_NONE))
                .isInstanceOf(Decision.Ignore.class);
        assertThat(decide(said("C1", "U1", "<@UBOT> hi", null, null), true, KNOWS_NONE))
                .isInstanceOf(Decision.Ignore.class);
    }

    @Test
    void decide_aBareMention_isAHint_andADeniedUser_isToldOnlyWhenTheyAddressedTheBot() {
        assertThat(decide(said("C1", "U1", "<@UBOT>  ", "10.1", null), true, KNOWS_NONE))
                .isInstanceOf(Decision.Hint.class);
        SwitchboardConfig.SlackAccess denyU1 = new SwitchboardConfig.SlackAccess(List.of(), List.of(), List.of(),
                List.of("U1"));
        assertThat(SlackRules.decide(said("C1", "U1", "<@UBOT> hi", "10.1", null), BOT, true, denyU1, KNOWS_NONE))
                .isEqualTo(new Decision.Deny(true));
        assertThat(SlackRules.decide(said("C1", "U1", "more", "11.1", "10.1"), BOT, true, denyU1, ts -> true))
                .isEqualTo(new Decision.Deny(false));
    }

    @Test
    void allowed_denyListsWin_andAnAllowListOfChannelsLetsDirectMessagesThrough() {
        SwitchboardConfig.SlackAccess access = new SwitchboardConfig.SlackAccess(List.of("C1", "C2"), List.of("C2"),
                List.of(), List.of());

        assertThat(SlackRules.allowed(access, "C1", "U1")).isTrue();
        assertThat(SlackRules.allowed(access, "C2", "U1")).isFalse();
        assertThat(SlackRules.allowed(access, "C3", "U1")).isFalse();
        assertThat(SlackRules.allowed(access, "D1", "U1")).isTrue();
        SwitchboardConfig.SlackAccess users = new SwitchboardConfig.SlackAccess(List.of(), List.of(), List.of("U1"),
                List.of());
        assertThat(SlackRules.allowed(users, "D1", "U2")).isFalse();
    }

    @Test
    void teamOf_prefersThePayload_thenTheEvent_thenTheBotsOwn() {
        assertThat(SlackRules.teamOf("T1", "T2", "T3")).isEqualTo("T1");
        assertThat(SlackRules.teamOf("", "T2", "T3")).isEqualTo("T2");
        assertThat(SlackRules.teamOf(null, null, "T3")).isEqualTo("T3");
    }
}
