package dev.switchboard.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks across sections that the records cannot make alone: secrets required by what is enabled, routes naming
 * configured providers and models, and secrets written literally in the file. Stateless and thread-safe.
 */
final class ConfigChecks {

    private static final Pattern PROVIDER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

    private ConfigChecks() {
    }

    /**
     * @param warnings filled with things that work but deserve attention
     * @return every problem found, one per key
     */
    static List<ConfigException.Problem> validate(SwitchboardConfig c, Map<String, String> references,
                                                  List<String> warnings) {
        List<ConfigException.Problem> problems = new ArrayList<>();
        slack(c, references, problems);
        if (c.discord().enabled() == Toggle.ON) {
            requireSecret(problems, references, "discord.token", c.discord().token(), "DISCORD_TOKEN",
                    "Discord is enabled but has no bot token", "the token from the Developer Portal's Bot page",
                    "discord");
        }
        providers(c, references, problems);
        routing(c, problems);
        ToolChecks.validate(c, problems);
        storage(c, problems);
        for (String secretKey : literalSecrets(c, references)) {
            warnings.add(secretKey + " holds a secret written in the config file; prefer a ${VARIABLE} reference"
                    + " so the file never holds it");
        }
        return problems;
    }

    private static void slack(SwitchboardConfig c, Map<String, String> references,
                              List<ConfigException.Problem> problems) {
        SwitchboardConfig.Slack slack = c.slack();
        if (slack.enabled() == Toggle.ON) {
            requireSecret(problems, references, "slack.bot_token", slack.botToken(), "SLACK_BOT_TOKEN",
                    "Slack is enabled but has no bot token", "the xoxb-… token from OAuth & Permissions", "slack");
            if (slack.mode() == SwitchboardConfig.SlackMode.SOCKET) {
                requireSecret(problems, references, "slack.app_token", slack.appToken(), "SLACK_APP_TOKEN",
                        "Slack Socket Mode needs an app-level token", "the xapp-… token from Basic Information",
                        "slack");
            } else {
                requireSecret(problems, references, "slack.signing_secret", slack.signingSecret(),
                        "SLACK_SIGNING_SECRET", "Slack HTTP mode needs the signing secret",
                        "the signing secret from Basic Information", "slack");
            }
        }
        if (slack.mode() == SwitchboardConfig.SlackMode.HTTP && !c.ops().enabled()
                && (slack.enabled() == Toggle.ON || slack.active())) {
            problems.add(new ConfigException.Problem("slack.mode", "is http, which receives events on the ops server,"
                    + " but ops.enabled is false.", "set ops.enabled: true, or use slack.mode: socket."));
        }
    }

    private static void providers(SwitchboardConfig c, Map<String, String> references,
                                  List<ConfigException.Problem> problems) {
        c.providers().forEach((name, p) -> {
            String key = "providers." + name;
            if (!PROVIDER_NAME.matcher(name).matches()) {
                problems.add(new ConfigException.Problem(key, "is not a usable provider name.",
                        "use lower-case letters, digits, - and _ (it appears in commands and metrics)."));
            }
            if (p.enabled() == Toggle.ON && p.type().needsKey()) {
                requireSecret(problems, references, key + ".api_key", p.apiKey(),
                        name.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_API_KEY",
                        "provider " + name + " is enabled but has no API key", "the provider's API key", key);
            }
        });
    }

    private static void routing(SwitchboardConfig c, List<ConfigException.Problem> problems) {
        SwitchboardConfig.Routing routing = c.routing();
        if (!routing.routes().isEmpty() && !routing.routes().containsKey(routing.defaultRoute())) {
            problems.add(new ConfigException.Problem("routing.default_route", "names route \""
                    + routing.defaultRoute() + "\", which is not defined.",
                    "define it under routing.routes or pick one of " + routing.routes().keySet() + "."));
        }
        routing.routes().forEach((name, route) -> targets(c, "routing.routes." + name + ".targets", route.targets(),
                problems));
        targets(c, "routing.user_models", routing.userModels(), problems);
        targets(c, "routing.compare_models", routing.compareModels(), problems);
        for (int i = 0; i < routing.overrides().size(); i++) {
            SwitchboardConfig.Override o = routing.overrides().get(i);
            if (o.route() != null && !routing.routes().containsKey(o.route())) {
                problems.add(new ConfigException.Problem("routing.overrides[" + i + "].route", "names route \""
                        + o.route() + "\", which is not defined.", "define it under routing.routes."));
            }
        }
    }

    private static void storage(SwitchboardConfig c, List<ConfigException.Problem> problems) {
        if (c.storage().backend() == SwitchboardConfig.Backend.POSTGRES && c.storage().postgres().url().isEmpty()) {
            problems.add(new ConfigException.Problem("storage.postgres.url", "is not set, and storage.backend is"
                    + " postgres.", "set storage.postgres.url: jdbc:postgresql://HOST:5432/DATABASE, or use"
                    + " storage.backend: files."));
        }
        if (c.cluster().enabled() && c.storage().backend() != SwitchboardConfig.Backend.POSTGRES) {
            problems.add(new ConfigException.Problem("cluster.enabled", "is true, but storage.backend is files: the"
                    + " nodes of a cluster share their state through one PostgreSQL database.", "set"
                    + " storage.backend: postgres and storage.postgres.url on every node, or cluster.enabled: false."));
        }
    }

    private static void requireSecret(List<ConfigException.Problem> problems, Map<String, String> references,
                                      String key, Secret secret, String conventionalVariable, String what,
                                      String which, String section) {
        if (secret.isPresent()) {
            return;
        }
        String variable = references.getOrDefault(key, conventionalVariable);
        String setIt = references.containsKey(key) ? "export " + variable + "=<" + which + ">"
                : "set " + key + ": ${" + variable + "} and export " + variable + "=<" + which + ">";
        problems.add(new ConfigException.Problem(key, what + ".", setIt + ", or set " + section
                + ".enabled: auto to start without it."));
    }

    private static List<String> literalSecrets(SwitchboardConfig c, Map<String, String> references) {
        Map<String, Secret> secrets = secretsByKey(c);
        List<String> literal = new ArrayList<>();
        secrets.forEach((key, secret) -> {
            if (secret.isPresent() && !references.containsKey(key)) {
                literal.add(key);
            }
        });
        return literal;
    }

    private static Map<String, Secret> secretsByKey(SwitchboardConfig c) {
        Map<String, Secret> secrets = new LinkedHashMap<>();
        secrets.put("slack.bot_token", c.slack().botToken());
        secrets.put("slack.app_token", c.slack().appToken());
        secrets.put("slack.signing_secret", c.slack().signingSecret());
        secrets.put("discord.token", c.discord().token());
        c.providers().forEach((name, p) -> secrets.put("providers." + name + ".api_key", p.apiKey()));
        secrets.put("storage.postgres.password", c.storage().postgres().password());
        secrets.put("ops.token", c.ops().token());
        c.tools().servers().forEach((name, server) -> {
            server.env().forEach((k, v) -> secrets.put("tools.servers." + name + ".env." + k, v));
            server.headers().forEach((k, v) -> secrets.put("tools.servers." + name + ".headers." + k, v));
        });
        return secrets;
    }

    /** Every secret's value, so log output can mask them. */
    static Set<String> secretValues(SwitchboardConfig c) {
        Set<String> values = new LinkedHashSet<>();
        secretsByKey(c).values().stream().filter(Secret::isPresent).forEach(s -> values.add(s.reveal()));
        return values;
    }

    private static void targets(SwitchboardConfig c, String at, List<SwitchboardConfig.Target> targets,
                                List<ConfigException.Problem> problems) {
        for (int i = 0; i < targets.size(); i++) {
            SwitchboardConfig.Target t = targets.get(i);
            String key = at + "[" + i + "]";
            SwitchboardConfig.Provider p = c.providers().get(t.provider());
            if (p == null) {
                problems.add(new ConfigException.Problem(key, "names provider \"" + t.provider()
                        + "\", which is not configured.", "add it under providers, or use one of "
                        + c.providers().keySet() + "."));
            } else if (!p.models().contains(t.model())) {
                problems.add(new ConfigException.Problem(key, "names model \"" + t.model()
                        + "\", which providers." + t.provider() + ".models does not list.",
                        "add it to providers." + t.provider() + ".models."));
            }
        }
    }
}
