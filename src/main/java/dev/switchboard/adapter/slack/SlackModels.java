package dev.switchboard.adapter.slack;

import com.slack.api.app_backend.slash_commands.payload.SlashCommandPayload;
import dev.switchboard.admin.Admin;
import dev.switchboard.answering.ThreadModels;
import java.util.List;

/**
 * Slack's {@code /model} and the header of a {@code /compare} question. A slash command carries no thread, so a choice
 * made with {@code /model} holds in the channel (or direct message) it was given in. Stateless.
 */
final class SlackModels {

    private SlackModels() {
    }

    /** The private answer to {@code /model}. */
    static String model(Admin admin, SlashCommandPayload p, String team) {
        if (admin.models() == null) {
            return "Choosing a model is not offered here.";
        }
        String teamId = SlackRules.teamOf(p.getTeamId(), null, team);
        return admin.models().run(SlackPlaces.key(teamId, p.getChannelId(), ThreadModels.CHANNEL_SCOPE),
                p.getUserId(), p.getText());
    }

    /** What a posted question says it compares; empty for an ordinary {@code /ask}. */
    static String comparing(List<String> models) {
        return models == null || models.isEmpty() ? ""
                : " (comparing " + String.join(", ", models.stream().map(m -> "`" + m + "`").toList()) + ")";
    }
}
