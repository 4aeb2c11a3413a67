package dev.switchboard;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.config.Toggle;
import dev.switchboard.config.Urls;
import dev.switchboard.ops.OpsServer;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The lines a started service logs about itself: what is on, what is off and how to turn it on. Stateless. */
final class StartupReport {

    private static final Logger log = LoggerFactory.getLogger(Service.class);

    private StartupReport() {
    }

    /** @param ops the ops server, or null when it is off */
    static void log(ConfigLoader.Loaded loaded, OpsServer ops) {
        SwitchboardConfig config = loaded.config();
        for (String warning : loaded.warnings()) {
            log.warn("config: {}", warning);
        }
        log.info("config: {}", loaded.source());
        SwitchboardConfig.Slack slack = config.slack();
        if (slack.active()) {
            log.info("slack: on ({} mode)", slack.mode().name().toLowerCase(Locale.ROOT));
        } else if (slack.enabled() == Toggle.OFF) {
            log.info("slack: off (slack.enabled: false)");
        } else {
            log.info("slack: off. To turn it on, create the Slack app (README, \"Slack\") and export {}",
                    String.join(" and ", slack.missingSecrets().stream()
                            .map(v -> loaded.variableFor(slackKey(v), v)).toList()));
        }
        if (config.discord().active()) {
            log.info("discord: on");
        } else if (config.discord().enabled() == Toggle.OFF) {
            log.info("discord: off (discord.enabled: false)");
        } else {
            log.info("discord: off. To turn it on, create the bot (README, \"Discord\") and export {}",
                    loaded.variableFor("discord.token", "DISCORD_TOKEN"));
        }
        if (config.providers().isEmpty()) {
            log.info("providers: none configured. Add one under providers: in the config (see the sample"
                    + " config/switchboard.yaml)");
        }
        config.providers().forEach((name, p) -> {
            if (p.active()) {
                log.info("provider {}: on ({} at {}, models {})", name, p.type().name().toLowerCase(
                        Locale.ROOT), Urls.withoutCredentials(p.baseUrl()), p.models());
            } else if (p.enabled() == Toggle.OFF) {
                log.info("provider {}: off (providers.{}.enabled: false)", name, name);
            } else {
                String key = "providers." + name + ".api_key";
                log.info("provider {}: off. To turn it on, export {} (read through {})", name,
                        loaded.variableFor(key, name.toUpperCase(Locale.ROOT) + "_API_KEY"), key);
            }
        });
        Path data = config.storage().path().toAbsolutePath().normalize();
        log.info("store: conversations in {} (fsync {}, backups {})", data, config.storage().fsync(),
                config.storage().backups());
        if (ops != null) {
            log.info("ops: {} serves the status page at / and /healthz /readyz /metrics /status.json", ops.url());
            boolean loopback = config.ops().bind().startsWith("127.") || config.ops().bind().equals("::1")
                    || config.ops().bind().equals("localhost");
            if (!loopback && !config.ops().token().isPresent()) {
                log.warn("ops: listening on {} without a token; anyone who can reach the port can read /metrics."
                        + " Set ops.token (SWITCHBOARD_OPS_TOKEN) or keep the port unpublished", config.ops().bind());
            }
        } else {
            log.info("ops: off (ops.enabled: false)");
        }
    }

    private static String slackKey(String conventionalVariable) {
        return switch (conventionalVariable) {
            case "SLACK_APP_TOKEN" -> "slack.app_token";
            case "SLACK_SIGNING_SECRET" -> "slack.signing_secret";
            default -> "slack.bot_token";
        };
    }
}
