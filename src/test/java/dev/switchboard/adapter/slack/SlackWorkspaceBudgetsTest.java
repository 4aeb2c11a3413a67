package dev.switchboard.adapter.slack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.testing.ManualTicker;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Slack counts the calls of a bot's token against the workspace the token belongs to, whatever team an event names:
 * a Slack Connect channel's other team, or a forged team id in a signed request. Budgets kept per event team let
 * several of them write into the one workspace's window at once (the hostile-input run saw a 429 with a 39 s
 * Retry-After that way), and a request naming a new team made a new set of budgets that were never forgotten.
 */
class SlackWorkspaceBudgetsTest {

    private static final String BOT_TEAM = "T0BOT";

    private final SwitchboardConfig.Slack config = new ConfigLoader().parse("""
            slack:
              bot_token: xoxb-0000-test
              app_token: xapp-0000-test
            """, "test.yaml", Map.of()).config().slack();
    private final SlackReplies replies = new SlackReplies(new SlackApi(null), config, new ManualTicker(), "U0BOT",
            "B0BOT", BOT_TEAM, () -> false);

    @Test
    void repliesToEventsOfOtherTeams_spendTheBotsWorkspaceBudgets() {
        SlackThread own = replies.thread(BOT_TEAM, "C1", "1.1", "1.1", "U1", false);
        SlackThread connect = replies.thread("T0OTHER", "C1", "2.1", "2.1", "U2", false);
        SlackThread forged = replies.thread("T\u0000../x", "C2", "3.1", "3.1", "U3", false);

        SlackSpending.Budgets spend = replies.budgets("C1");
        assertThat(own.budgets()).containsExactly(spend.post(), spend.update());
        assertThat(connect.budgets()).containsExactly(spend.post(), spend.update());
        assertThat(forged.budgets().getLast()).as("chat.update, counted per workspace").isSameAs(spend.update());
        assertThat(spend.update().toString()).startsWith("slack " + BOT_TEAM + " chat.update");
        assertThat(forged.budgets().getFirst()).as("chat.postMessage, counted per channel")
                .isNotSameAs(spend.post());
    }
}
