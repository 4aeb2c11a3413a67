package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private final ConfigLoader loader = new ConfigLoader();

    private ConfigLoader.Loaded parse(String yaml, Map<String, String> env) {
        return loader.parse(yaml, "test.yaml", env);
    }

    private ConfigException error(String yaml) {
        return error(yaml, Map.of());
    }

    private ConfigException error(String yaml, Map<String, String> env) {
        try {
            parse(yaml, env);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a config error for:\n" + yaml);
    }

    @Test
    void parse_emptyFile_givesDefaultsWithEverythingOff() {
        SwitchboardConfig c = parse("", Map.of()).config();

        assertThat(c.slack().active()).isFalse();
        assertThat(c.discord().active()).isFalse();
        assertThat(c.discord().globalRequestsPerSecond()).isEqualTo(50);
        assertThat(c.providers()).isEmpty();
        assertThat(c.storage().path()).isEqualTo(Path.of("conversations"));
        assertThat(c.storage().fsync()).isTrue();
        assertThat(c.ops().bind()).isEqualTo("127.0.0.1");
        assertThat(c.logging().format()).isEqualTo("json");
    }

    @Test
    void parse_theShippedSample_isValidWithAndWithoutSecrets() throws Exception {
        String sample = Files.readString(Path.of("config", "switchboard.yaml"));

        ConfigLoader.Loaded bare = parse(sample, Map.of());
        assertThat(bare.config().slack().active()).isFalse();
        assertThat(bare.config().providers().get("openai").active()).isFalse();
        assertThat(bare.config().providers().get("ollama").active()).isTrue();

        ConfigLoader.Loaded full = parse(sample, Map.of("SLACK_BOT_TOKEN", "xoxb-123-456-abcdef",
                "SLACK_APP_TOKEN", "xapp-1-A111-222-xyz", "OPENAI_API_KEY", "sk-test-0123456789abcdef",
                "SLACK_API_URL", "http://127.0.0.1:9999/api/"));
        assertThat(full.config().slack().active()).isTrue();
        assertThat(full.config().slack().apiUrl()).isEqualTo(URI.create("http://127.0.0.1:9999/api/"));
        assertThat(full.config().providers().get("openai").apiKey().reveal()).isEqualTo("sk-test-0123456789abcdef");
        assertThat(full.secretValues()).contains("xoxb-123-456-abcdef", "sk-test-0123456789abcdef");
        assertThat(full.warnings()).isEmpty();
        assertThat(full.variableFor("providers.openai.api_key", "X")).isEqualTo("OPENAI_API_KEY");
    }

    @Test
    void parse_theSeveralNodesExample_isAClusterNodeOnPostgres() throws Exception {
        String example = Files.readString(Path.of("docs", "deploy", "node.yaml"));

        ConfigLoader.Loaded node = parse(example, Map.of("SWITCHBOARD_NODE_ID", "node-b",
                "SWITCHBOARD_DB_URL", "jdbc:postgresql://db:5432/switchboard", "SWITCHBOARD_DB_PASSWORD", "pw",
                "SLACK_BOT_TOKEN", "xoxb-123-456-abcdef", "SLACK_APP_TOKEN", "xapp-1-A111-222-xyz",
                "OPENAI_API_KEY", "sk-test-0123456789abcdef"));

        assertThat(node.config().cluster().enabled()).isTrue();
        assertThat(node.config().cluster().nodeId()).isEqualTo("node-b");
        assertThat(node.config().slack().active()).isTrue();
        assertThat(node.warnings()).isEmpty();
        assertThat(parse(example, Map.of("SWITCHBOARD_DB_URL", "jdbc:postgresql://db:5432/switchboard"))
                .config().cluster().nodeId()).isEmpty();
    }

    @Test
    void parse_environmentReferences_withDefaultsAndEscapes() {
        SwitchboardConfig c = parse("""
                storage:
                  path: ${DATA:-/var/lib/switchboard}
                ops:
                  bind: ${BIND}
                  port: 9090
                routing:
                  routes:
                    r:
                      targets: [p/m]
                      system_prompt: "literal $${user} and {user} in ${TEAM}"
                  default_route: r
                providers:
                  p: {type: ollama, models: [m]}
                """, Map.of("BIND", "0.0.0.0", "TEAM", "ops")).config();

        assertThat(c.storage().path()).isEqualTo(Path.of("/var/lib/switchboard"));
        assertThat(c.ops().bind()).isEqualTo("0.0.0.0");
        assertThat(c.routing().routes().get("r").systemPrompt()).isEqualTo("literal ${user} and {user} in ops");
    }

    @Test
    void parse_targetsAsStringsOrObjects_durationsAndSizes() {
        SwitchboardConfig c = parse("""
                providers:
                  a: {type: openai, api_key: "${K}", models: [m1, m2], first_token_timeout: 1500ms, total_timeout: 2m}
                  b: {type: anthropic, enabled: false, models: [m3]}
                routing:
                  default_route: main
                  routes:
                    main:
                      targets:
                        - a/m1
                        - {target: a/m2, priority: 0, weight: 3}
                        - {target: b/m3, priority: 1}
                storage:
                  cache_max_size: 128MB
                  retention: 90d
                """, Map.of("K", "sk-abcdefabcdefabcdef")).config();

        SwitchboardConfig.Route main = c.routing().routes().get("main");
        assertThat(main.targets()).extracting(SwitchboardConfig.Target::provider).containsExactly("a", "a", "b");
        assertThat(main.targets().get(1).weight()).isEqualTo(3);
        assertThat(main.targets().get(2).priority()).isEqualTo(1);
        assertThat(c.providers().get("a").firstTokenTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.providers().get("a").totalTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.providers().get("a").baseUrl()).isEqualTo(URI.create("https://api.openai.com/v1"));
        assertThat(c.providers().get("b").active()).isFalse();
        assertThat(c.storage().cacheMaxSize().bytes()).isEqualTo(128L << 20);
        assertThat(c.storage().retention()).isEqualTo(Duration.ofDays(90));
    }

    @Test
    void unknownKey_namesTheKeyAndSuggestsTheRightOne() {
        ConfigException e = error("slack:\n  bot_tokn: x\n");

        assertThat(e.getMessage()).contains("test.yaml").contains("slack.bot_tokn: is not a known key")
                .contains("did you mean slack.bot_token?");
        assertThat(error("slack:\n  botToken: x\n").getMessage()).contains("did you mean slack.bot_token?");
        assertThat(error("slak: {}\n").getMessage()).contains("slak: is not a known key")
                .contains("did you mean slack?");
        assertThat(error("slack:\n  access:\n    allow_guilds: [G1]\n").getMessage())
                .contains("slack.access.allow_guilds: is not a known key");
    }

    @Test
    void wrongType_namesTheKeyAndTheExpectedType() {
        assertThat(error("ops:\n  port: eighty\n").getMessage())
                .contains("ops.port: expected a whole number, got \"eighty\"");
        assertThat(error("storage:\n  fsync: maybe\n").getMessage()).contains("storage.fsync").contains("true or false");
        assertThat(error("providers:\n  a: {type: openai, models: m, idle_timeout: 30}\n").getMessage())
                .contains("providers.a.idle_timeout").contains("duration");
        assertThat(error("providers:\n  a: {type: openai, models: m, idle_timeout: soon}\n").getMessage())
                .contains("providers.a.idle_timeout").contains("500ms, 30s");
        assertThat(error("slack:\n  mode: carrier-pigeon\n").getMessage())
                .contains("slack.mode").contains("expected socket or http");
        assertThat(error("slack: [1, 2]\n").getMessage()).contains("slack: expected a section");
        assertThat(error("storage:\n  cache_max_size: lots\n").getMessage())
                .contains("storage.cache_max_size").contains("64MB");
    }

    @Test
    void invalidValues_nameTheKeyAndTheFix() {
        assertThat(error("ops:\n  port: 70000\n").getMessage())
                .contains("ops.port: must be between 0 and 65535").contains("Fix:");
        assertThat(error("providers:\n  a: {models: [m]}\n").getMessage())
                .contains("providers.a.type: is missing").contains("Fix: set type: openai");
        assertThat(error("providers:\n  a: {type: openai, models: [m], breaker: {failure_rate: 150}}\n")
                .getMessage()).contains("providers.a.breaker.failure_rate");
        assertThat(error("discord:\n  shards: {total: 2, first: 1, last: 3}\n").getMessage())
                .contains("discord.shards.first").contains("does not fit 2 shards");
        assertThat(error("discord:\n  global_requests_per_second: 1\n").getMessage())
                .contains("discord.global_requests_per_second: must be at least 2");
        assertThat(error("logging:\n  format: xml\n").getMessage()).contains("logging.format: must be json or text");
    }

    @Test
    void enabledSectionWithoutItsSecret_namesTheVariableToExport() {
        ConfigException slack = error("slack:\n  enabled: true\n  bot_token: ${SLACK_BOT_TOKEN}\n"
                + "  app_token: ${MY_APP_TOKEN}\n");
        assertThat(slack.problems()).hasSize(2);
        assertThat(slack.getMessage())
                .contains("slack.bot_token: Slack is enabled but has no bot token.")
                .contains("export SLACK_BOT_TOKEN=")
                .contains("slack.app_token").contains("export MY_APP_TOKEN=")
                .contains("slack.enabled: auto");

        assertThat(error("slack:\n  enabled: true\n  mode: http\n  bot_token: xoxb-1\n").getMessage())
                .contains("slack.signing_secret").contains("SLACK_SIGNING_SECRET");
        assertThat(error("discord:\n  enabled: true\n").getMessage())
                .contains("discord.token").contains("DISCORD_TOKEN");
        assertThat(error("providers:\n  openai: {type: openai, enabled: true, models: [m], api_key: \"${OPENAI_API_KEY}\"}\n")
                .getMessage()).contains("providers.openai.api_key").contains("export OPENAI_API_KEY=");
    }

    @Test
    void missingSecretWithEnabledAuto_turnsTheSectionOffInsteadOfFailing() {
        SwitchboardConfig c = parse("slack:\n  bot_token: ${SLACK_BOT_TOKEN}\ndiscord:\n  token: ${DISCORD_TOKEN}\n",
                Map.of()).config();

        assertThat(c.slack().active()).isFalse();
        assertThat(c.slack().missingSecrets()).containsExactly("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN");
        assertThat(c.discord().active()).isFalse();
    }

    @Test
    void routesReferringToUnknownProvidersModelsOrRoutes_areRefused() {
        ConfigException e = error("""
                providers:
                  a: {type: ollama, models: [m]}
                routing:
                  default_route: main
                  routes:
                    other:
                      targets: [a/m, b/m, a/x]
                  overrides:
                    - {platform: slack, workspace: T1, route: nope}
                """);

        assertThat(e.getMessage())
                .contains("routing.default_route: names route \"main\", which is not defined")
                .contains("routing.routes.other.targets[1]: names provider \"b\"")
                .contains("routing.routes.other.targets[2]: names model \"x\"")
                .contains("routing.overrides[0].route: names route \"nope\"");
        assertThat(e.problems()).hasSize(4);
        assertThat(error("routing:\n  routes:\n    r:\n      targets: [nomodel]\n").getMessage())
                .contains("routing.routes.r.targets[0].target").contains("provider/model");
    }

    @Test
    void userAndCompareModelsMustNameConfiguredModels_andACompareListTwoOrThree() {
        ConfigException e = error("""
                providers:
                  a: {type: ollama, models: [m, n]}
                routing:
                  user_models: [a/m, b/m]
                  compare_models: [a/m, a/x]
                """);

        assertThat(e.getMessage()).contains("routing.user_models[1]: names provider \"b\"")
                .contains("routing.compare_models[1]: names model \"x\"");
        assertThat(e.problems()).hasSize(2);
        assertThat(error("routing:\n  compare_models: [a/m]\n").getMessage())
                .contains("routing.compare_models").contains("two or three");
    }

    @Test
    void yamlSyntaxErrorsAndBadReferences_sayWhere() {
        assertThat(error("slack:\n  mode: socket\n    bot_token: x\n").getMessage())
                .contains("line 3").contains("not valid YAML");
        assertThat(error("slack:\n  bot_token: ${UNCLOSED\n").getMessage())
                .contains("slack.bot_token: has a malformed ${...} reference");
        assertThat(error("- just\n- a list\n").getMessage()).contains("top level must be a set of sections");
        assertThat(error("providers:\n  a: {type: openai, models: [m], api_key: ${KEY}}\n").getMessage())
                .contains("line 2").contains("quote values that hold ${...}");
    }

    @Test
    void aKeyThatAppearsTwice_isNamedWithBothLines_withoutJacksonInternals() {
        ConfigException e = error("slack:\n  bot_token: x\n  mode: http\n  bot_token: y\nrouting:\n  overrides:\n"
                + "    - {platform: slack, workspace: T1, route: a, route: b}\n");

        assertThat(e.getMessage())
                .contains("slack.bot_token: appears twice in the same section, on line 2 and on line 4")
                .contains("routing.overrides[0].route: appears twice in the same section, on line 7 and on line 7")
                .doesNotContain("Duplicate field", "ObjectNode", "DeserializationFeature");
        assertThat(e.problems()).hasSize(2);
    }

    @Test
    void yamlSyntaxErrors_getAHintThatFitsTheError() {
        assertThat(error("slack: [\n").getMessage()).contains("line 1").contains("close the [ opened on line 1")
                .doesNotContain("${");
        assertThat(error("providers:\n  a: {type: openai, models: [m]\n").getMessage())
                .contains("close the { opened on line 2").doesNotContain("${");
        assertThat(error("slack:\n\tmode: http\n").getMessage()).contains("line 2").contains("spaces")
                .doesNotContain("${");
        assertThat(error("slack:\n  mode: \"open\n").getMessage()).contains("close the quote");
        assertThat(error("slack:\n  mode: socket\n    bot_token: x\n").getMessage()).contains("line 3")
                .contains("its own line").doesNotContain("${");
    }

    @Test
    void slackHttpModeWithTheOpsServerOff_isAProblem() {
        assertThat(error("slack: {mode: http, enabled: true, bot_token: xoxb-1, signing_secret: s}\n"
                + "ops: {enabled: false}\n").getMessage())
                .contains("slack.mode: is http, which receives events on the ops server, but ops.enabled is false")
                .contains("slack.mode: socket");
        assertThat(parse("slack: {mode: http}\nops: {enabled: false}\n", Map.of()).config().slack().active())
                .isFalse(); // off for want of tokens: nothing to serve
    }

    @Test
    void secrets_areMaskedWhereverAConfigIsPrinted() {
        ConfigLoader.Loaded loaded = parse("""
                slack: {bot_token: "${T}", app_token: "${A}"}
                providers:
                  a: {type: openai, api_key: "${K}", models: [m]}
                """, Map.of("T", "xoxb-secret-bot-token", "A", "xapp-secret-app-token", "K", "sk-secret-key-0000000000"));

        String printed = loader.render(loaded.config()) + loaded.config() + loaded.config().slack();

        assertThat(printed).doesNotContain("xoxb-secret-bot-token", "xapp-secret-app-token", "sk-secret-key-0000000000");
        assertThat(loader.render(loaded.config())).contains("bot_token: '" + Secret.MASK + "'");
    }

    @Test
    void errorMessages_neverRepeatAValueTakenFromTheEnvironment() {
        ConfigException e = error("ops:\n  port: ${SWITCHBOARD_OPS_TOKEN}\n",
                Map.of("SWITCHBOARD_OPS_TOKEN", "hunter2-ops-token-value"));

        assertThat(e.getMessage()).contains("ops.port").contains("(the value of $SWITCHBOARD_OPS_TOKEN)")
                .doesNotContain("hunter2-ops-token-value");
        assertThat(error("slack:\n  mode: ${SLACK_BOT_TOKEN}\n", Map.of("SLACK_BOT_TOKEN", "xoxb-1-2-secret"))
                .getMessage()).doesNotContain("xoxb-1-2-secret");
    }

    @Test
    void unsetVariableInAKeyThatIsNotASecret_isAnErrorNamingTheKeyAndTheVariable() {
        ConfigException e = error("""
                ops:
                  port: ${OPS_PORT}
                providers:
                  a: {type: openai, api_key: "${A_KEY}", base_url: "${MY_PROXY_URL}", models: [m]}
                """, Map.of("A_KEY", "sk-test-0123456789abcdef"));

        assertThat(e.problems()).extracting(ConfigException.Problem::key)
                .containsExactlyInAnyOrder("ops.port", "providers.a.base_url");
        assertThat(e.getMessage()).contains("ops.port: refers to ${OPS_PORT}, which is not set")
                .contains("providers.a.base_url: refers to ${MY_PROXY_URL}, which is not set")
                .contains("${MY_PROXY_URL:-").doesNotContain("sk-test-0123456789abcdef");
        assertThat(error("storage:\n  path: /data/${TEAM}/x\n").getMessage())
                .contains("storage.path: refers to ${TEAM}");
    }

    @Test
    void unsetVariableWithADefault_orInASecret_orAsAListItem_isNotAnError() {
        ConfigLoader.Loaded loaded = parse("""
                ops:
                  port: ${OPS_PORT:-9091}
                  token: ${SWITCHBOARD_OPS_TOKEN}
                slack:
                  bot_token: ${SLACK_BOT_TOKEN}
                providers:
                  a: {type: openai, api_key: "${A_KEY}", models: [m]}
                operators:
                  slack_users: [U1, "${EXTRA}"]
                """, Map.of());

        assertThat(loaded.config().ops().port()).isEqualTo(9091);
        assertThat(loaded.config().ops().token().isPresent()).isFalse();
        assertThat(loaded.config().providers().get("a").active()).isFalse();
    }

    @Test
    void listItemsThatAreUnsetReferences_areLeftOut() {
        SwitchboardConfig c = parse("operators:\n  slack_users: [U1, \"${EXTRA_OPERATOR}\"]\n", Map.of()).config();

        assertThat(c.operators().slackUsers()).containsExactly("U1");
    }

    @Test
    void aShortOpsToken_isRefused() {
        assertThat(error("ops:\n  token: ${T}\n", Map.of("T", "tooshort")).getMessage())
                .contains("ops.token: is shorter than 16 characters").doesNotContain("tooshort");
    }

    @Test
    void secretWrittenLiterally_isAcceptedWithAWarning() {
        ConfigLoader.Loaded loaded = parse("discord:\n  token: literal-token-value\n", Map.of());

        assertThat(loaded.config().discord().active()).isTrue();
        assertThat(loaded.warnings()).singleElement().asString().contains("discord.token")
                .doesNotContain("literal-token-value");
    }

    @Test
    void load_missingDefaultFileMeansDefaults_missingGivenFileIsAnError(@TempDir Path dir) {
        assertThat(loader.load(dir.resolve("absent.yaml"), false, Map.of()).config().slack().active()).isFalse();
        assertThatThrownBy(() -> loader.load(dir.resolve("absent.yaml"), true, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
    }

    @Test
    void attachmentsAndCapabilities_parseWithDefaults_andBadValuesSayWhatToWrite() {
        SwitchboardConfig defaults = parse("{}", Map.of()).config();
        assertThat(defaults.attachments().maxBytes().bytes()).isEqualTo(20L << 20);
        assertThat(defaults.attachments().keep()).isTrue();
        assertThat(defaults.discord().cdnUrl()).isEqualTo(URI.create("https://cdn.discordapp.com/"));

        SwitchboardConfig c = parse("""
                attachments: {max_bytes: 5MB, max_images: 2, download_timeout: 10s, keep: false}
                discord: {cdn_url: "http://127.0.0.1:9000/"}
                providers:
                  local:
                    type: ollama
                    models: [my-vlm]
                    capabilities: {my-vlm: {vision: true, max_image_edge: 896}}
                """, Map.of()).config();
        assertThat(c.attachments().maxBytes().bytes()).isEqualTo(5L << 20);
        assertThat(c.attachments().maxImages()).isEqualTo(2);
        assertThat(c.attachments().keep()).isFalse();
        assertThat(c.discord().cdnUrl()).isEqualTo(URI.create("http://127.0.0.1:9000/"));
        assertThat(c.providers().get("local").capabilities().get("my-vlm").vision()).isTrue();
        assertThat(c.providers().get("local").capabilities().get("my-vlm").documents()).isNull();

        assertThat(error("attachments: {max_images: -1}\n").getMessage()).contains("max_images");
        assertThat(error("""
                providers:
                  local: {type: ollama, models: [m], capabilities: {m: {max_image_edge: 10}}}
                """).getMessage()).contains("max_image_edge");
    }

    @Test
    void routingSummaries_haveDefaults_andABadBoundNamesItsKey() {
        SwitchboardConfig.Summaries defaults = parse("", Map.of()).config().routing().summaries();
        assertThat(defaults.enabled()).isTrue();
        assertThat(defaults.maxConcurrent()).isEqualTo(2);
        assertThat(defaults.retryAfter()).isEqualTo(java.time.Duration.ofMinutes(1));
        assertThat(parse("routing: {summaries: {enabled: false, max_concurrent: 4, retry_after: 30s}}", Map.of())
                .config().routing().summaries()).isEqualTo(new SwitchboardConfig.Summaries(false, 4,
                java.time.Duration.ofSeconds(30)));
        assertThatThrownBy(() -> parse("routing: {summaries: {max_concurrent: 0}}", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max_concurrent");
    }
}
