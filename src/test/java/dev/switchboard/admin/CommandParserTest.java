package dev.switchboard.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.conversation.ConversationKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandParserTest {

    private static final ConversationKey HERE = new ConversationKey("slack", "T1", "C1", "100.000");
    private static final ConversationKey GENERAL = new ConversationKey("slack", "T1", "C9", "C9");
    private static final Admin.Places PLACES = new Admin.Places() {
        @Override
        public ConversationKey channel(String reference) {
            return reference.equals("#general") ? GENERAL : null;
        }
    };

    @Test
    void parse_emptyLine_isStatus() {
        assertThat(CommandParser.parse(HERE, "", PLACES)).isEqualTo(new Command.ShowStatus(HERE));
    }

    @Test
    void parse_channelReference_pinsTheModelThere() {
        assertThat(CommandParser.parse(HERE, "model #general openai/gpt", PLACES))
                .isEqualTo(new Command.PinModel(HERE, GENERAL, "openai/gpt"));
        assertThat(CommandParser.parse(HERE, "MODEL default", PLACES)).isEqualTo(new Command.PinModel(HERE, HERE, null));
    }

    @Test
    void parse_unknownChannel_isInvalidWithTheReason() {
        assertThat(CommandParser.parse(HERE, "route #nowhere fast", PLACES))
                .isEqualTo(new Command.Invalid("not changed: #nowhere is not a channel I can see."));
    }

    @Test
    void parse_malformedArguments_giveTheUsageLine() {
        assertThat(CommandParser.parse(HERE, "provider spare maybe", PLACES))
                .isEqualTo(new Command.Invalid("usage: provider <name> on|off"));
        assertThat(CommandParser.parse(HERE, "usage soon", PLACES))
                .isEqualTo(new Command.Invalid("usage: usage [24h|7d] (a number of hours or days)"));
    }

    @Test
    void parse_windowsAndMentions_becomeValues() {
        assertThat(CommandParser.parse(HERE, "usage 7d", PLACES)).isEqualTo(new Command.ShowUsage("7d",
                Duration.ofDays(7)));
        assertThat(CommandParser.parse(HERE, "forget-user <@U2|bo>", PLACES))
                .isEqualTo(new Command.ForgetUser("slack", "U2"));
        assertThat(CommandParser.parse(HERE, "provider spare off", PLACES))
                .isEqualTo(new Command.SwitchProvider("spare", false));
    }

    @Test
    void commands_rejectEmptyValues() {
        assertThatThrownBy(() -> new Command.SwitchProvider(" ", true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Command.SetPrompt(HERE, HERE, "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isOperator_asksThePlatformsAuthoriser_andNobodyElseIsOne() {
        Admin admin = new Admin(null, null, null, null, null, Clock.systemUTC(), null,
                Map.of("discord", (user, roles) -> roles.contains("mods")));

        assertThat(admin.isOperator("discord", "U1", List.of("mods"))).isTrue();
        assertThat(admin.isOperator("discord", "U1", List.of())).isFalse();
        assertThat(admin.isOperator("slack", "U1", List.of("mods"))).isFalse();
    }
}
