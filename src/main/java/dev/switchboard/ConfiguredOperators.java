package dev.switchboard;

import dev.switchboard.admin.Admin;
import dev.switchboard.config.SwitchboardConfig;
import java.util.Map;

/**
 * Who may run admin commands on each platform, from the config's {@code operators:}; a reload swaps the lists.
 * Thread-safe.
 */
final class ConfiguredOperators {

    private volatile SwitchboardConfig.Operators operators;

    ConfiguredOperators(SwitchboardConfig.Operators operators) {
        this.operators = operators;
    }

    /** The lists after a reload. */
    void replace(SwitchboardConfig.Operators now) {
        this.operators = now;
    }

    /** One authoriser per platform, each reading the lists in force when it is asked. */
    Map<String, Admin.Authoriser> byPlatform() {
        return Map.of(
                "slack", (user, roles) -> operators.slackUsers().contains(user),
                "discord", (user, roles) -> {
                    SwitchboardConfig.Operators o = operators;
                    return o.discordUsers().contains(user) || roles.stream().anyMatch(o.discordRoles()::contains);
                },
                // The shell's user is whoever started the service on this machine.
                "shell", (user, roles) -> true);
    }
}
