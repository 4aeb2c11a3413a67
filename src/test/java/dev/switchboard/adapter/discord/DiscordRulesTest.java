package dev.switchboard.adapter.discord;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.adapter.discord.DiscordRules.Decision;
import dev.switchboard.adapter.discord.DiscordRules.Heard;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.ConversationKey;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Which Discord messages are answered, and where, without Discord or a store: the rules alone. */
class DiscordRulesTest {

    private static final String SELF = "900";
    private static final SwitchboardConfig.DiscordAccess OPEN = access(List.of(), List.of(), List.of(), List.of());
    private static final Predicate<ConversationKey> KNOWS_NONE = k -> false;
    private static final Function<String, ConversationKey> NO_CHAINS = id -> null;

    private static SwitchboardConfig.DiscordAccess access(List<String> allowChannels, List<String> denyChannels,
                                                          List<String> allowRoles, List<String> denyUsers) {
        return new SwitchboardConfig.DiscordAccess(List.of(), List.of(), allowChannels, denyChannels, allowRoles,
                List.of(), List.of(), denyUsers);
    }

    /** A person's message in guild G1, channel C1 (or a thread of it), without a reply reference. */
    private static Heard inChannel(String text, boolean mentioned, String thread) {
        return new Heard(SELF, "U1", false, false, false, "G1", "C1", thread, thread == null, List.of(), mentioned,
                text, "M1", null, null);
    }

    private static Decision decide(Heard h) {
        return DiscordRules.decide(h, true, OPEN, KNOWS_NONE, NO_CHAINS);
    }

    @Test
    void decide_aMentionInATextChannel_opensAThreadNamedAfterTheQuestion() {
        assertThat(decide(inChannel("<@900> what is   2+2?", true, null)))
                .isEqualTo(new Decision.OpenThread("what is 2+2?", "what is   2+2?"));
        assertThat(DiscordRules.decide(inChannel("<@!900> hi", true, null), false, OPEN, KNOWS_NONE, NO_CHAINS))
                .as("threads off: a reply chain on the message")
                .isEqualTo(new Decision.Answer(DiscordRules.key("G1", "C1", "M1"), "M1", "hi"));
    }

    @Test
    void decide_inAThread_answersWithoutAMention_onlyWhereTheBotTakesPart() {
        ConversationKey thread = DiscordRules.key("G1", "C1", "T1");
        Heard followUp = inChannel("and then?", false, "T1");

        assertThat(DiscordRules.decide(followUp, true, OPEN, thread::equals, NO_CHAINS))
                .isEqualTo(new Decision.Answer(thread, null, "and then?"));
        assertThat(decide(followUp)).isInstanceOf(Decision.Ignore.class);
        assertThat(decide(inChannel("<@900> join us", true, "T1")))
                .isEqualTo(new Decision.Answer(thread, null, "join us"));
        assertThat(decide(inChannel("chatter", false, null))).isInstanceOf(Decision.Ignore.class);
    }

    @Test
    void decide_aReplyToTheBot_continuesTheConversationOfTheMessageItAnswers() {
        Heard reply = new Heard(SELF, "U1", false, false, false, "G1", "C1", null, true, List.of(), false, "more",
                "M2", SELF, "B1");
        ConversationKey asked = DiscordRules.key("G1", "C1", "ASK1");

        assertThat(DiscordRules.decide(reply, true, OPEN, KNOWS_NONE, Map.of("B1", asked)::get))
                .isEqualTo(new Decision.Answer(asked, "M2", "more"));
        assertThat(decide(reply)).as("an unknown bot message starts a chain on it")
                .isEqualTo(new Decision.Answer(DiscordRules.key("G1", "C1", "B1"), "M2", "more"));
    }

    @Test
    void decide_directMessages_areOneConversation_andFollowTheUserLists() {
        Heard dm = new Heard(SELF, "U1", false, false, false, null, "D1", null, false, List.of(), false, "hello",
                "M1", null, null);

        assertThat(decide(dm)).isEqualTo(new Decision.Answer(DiscordRules.key("dm", "D1", "dm"), null, "hello"));
        assertThat(DiscordRules.decide(dm, true, access(List.of(), List.of(), List.of(), List.of("U1")), KNOWS_NONE,
                NO_CHAINS)).isInstanceOf(Decision.Ignore.class);
    }

    @Test
    void decide_botsWebhooksSystemMessagesAndBareMentions_areIgnored() {
        assertThat(decide(new Heard(SELF, "U2", true, false, false, "G1", "C1", null, true, List.of(), true,
                "<@900> hi", "M1", null, null))).isInstanceOf(Decision.Ignore.class);
        assertThat(decide(new Heard(SELF, SELF, false, false, false, "G1", "C1", null, true, List.of(), true,
                "<@900> hi", "M1", null, null))).isInstanceOf(Decision.Ignore.class);
        assertThat(decide(new Heard(SELF, "U1", false, true, false, "G1", "C1", null, true, List.of(), true,
                "<@900> hi", "M1", null, null))).isInstanceOf(Decision.Ignore.class);
        assertThat(decide(new Heard(SELF, "U1", false, false, true, "G1", "C1", null, true, List.of(), true,
                "<@900> hi", "M1", null, null))).isInstanceOf(Decision.Ignore.class);
        assertThat(decide(inChannel("<@900>  ", true, null))).isInstanceOf(Decision.Ignore.class);
    }

    @Test
    void allowed_aThreadFollowsItsParentChannel_andRolesCanAllow() {
        SwitchboardConfig.DiscordAccess onlyC1 = access(List.of("C1"), List.of(), List.of(), List.of());
        assertThat(DiscordRules.allowed(onlyC1, "G1", "T1", "C1", List.of(), "U1")).isTrue();
        assertThat(DiscordRules.allowed(onlyC1, "G1", "C2", "C2", List.of(), "U1")).isFalse();
        SwitchboardConfig.DiscordAccess denyC1 = access(List.of(), List.of("C1"), List.of(), List.of());
        assertThat(DiscordRules.allowed(denyC1, "G1", "T1", "C1", List.of(), "U1")).isFalse();
        SwitchboardConfig.DiscordAccess byRole = access(List.of(), List.of(), List.of("R1"), List.of());
        assertThat(DiscordRules.allowed(byRole, "G1", "C1", "C1", List.of("R1"), "U1")).isTrue();
        assertThat(DiscordRules.allowed(byRole, "G1", "C1", "C1", List.of("R2"), "U1")).isFalse();
        assertThat(DiscordRules.allowedInDm(byRole, "U1")).as("roles cannot allow anyone in a DM").isFalse();
    }

    @Test
    void threadName_isOneLineOfAtMostAHundredCharacters() {
        assertThat(DiscordRules.threadName("  a\n b  ")).isEqualTo("a b");
        assertThat(DiscordRules.threadName(" ")).isEqualTo("Question");
        assertThat(DiscordRules.threadName("x".repeat(150))).hasSize(100).endsWith("…");
    }
}
