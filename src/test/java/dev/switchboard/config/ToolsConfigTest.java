package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code tools} section and the {@code tools} lists of routes and overrides. */
class ToolsConfigTest {

    private static final String YAML = """
            providers:
              openai:
                type: openai
                api_key: ${OPENAI_API_KEY}
                models: [gpt-4o-mini]
            routing:
              default_route: main
              routes:
                main:
                  targets: [openai/gpt-4o-mini]
                  tools: [docs/*, tickets/find_ticket]
              overrides:
                - {platform: slack, workspace: T1, channel: C9, tools: []}
            tools:
              max_steps: 4
              servers:
                docs:
                  command: npx
                  args: [-y, "@acme/docs-mcp"]
                  env: {DOCS_TOKEN: "${DOCS_TOKEN}"}
                tickets:
                  url: https://tickets.example/mcp
                  headers: {Authorization: "Bearer ${TICKETS_TOKEN}"}
                  call_timeout: 10s
                  confirm: [create_ticket]
            """;

    private static ConfigLoader.Loaded load(String yaml) {
        return new ConfigLoader().parse(yaml, "t.yaml", Map.of("OPENAI_API_KEY", "sk-test-000",
                "DOCS_TOKEN", "docs-secret-789", "TICKETS_TOKEN", "tickets-secret-321"));
    }

    @Test
    void serversRoutesAndOverrides() {
        ConfigLoader.Loaded loaded = load(YAML);
        SwitchboardConfig c = loaded.config();

        assertThat(c.tools().maxSteps()).isEqualTo(4);
        assertThat(c.tools().maxResultChars()).isEqualTo(20_000);
        SwitchboardConfig.ToolServer docs = c.tools().servers().get("docs");
        assertThat(docs.command()).isEqualTo("npx");
        assertThat(docs.args()).containsExactly("-y", "@acme/docs-mcp");
        assertThat(docs.env().get("DOCS_TOKEN").reveal()).isEqualTo("docs-secret-789");
        SwitchboardConfig.ToolServer tickets = c.tools().servers().get("tickets");
        assertThat(tickets.headers().get("Authorization").reveal()).isEqualTo("Bearer tickets-secret-321");
        assertThat(tickets.callTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(tickets.confirm()).containsExactly("create_ticket");
        assertThat(c.routing().routes().get("main").tools()).containsExactly("docs/*", "tickets/find_ticket");
        assertThat(c.routing().overrides().getFirst().tools()).isEmpty();
        assertThat(loaded.secretValues()).contains("docs-secret-789", "Bearer tickets-secret-321");
        assertThat(c.toString()).doesNotContain("docs-secret-789").doesNotContain("tickets-secret-321");
    }

    @Test
    void noToolsByDefault() {
        SwitchboardConfig c = load("").config();

        assertThat(c.tools().servers()).isEmpty();
        assertThat(c.tools().maxSteps()).isEqualTo(8);
    }

    @Test
    void aRouteNamingAnUnknownServerIsRefused() {
        assertThatThrownBy(() -> load(YAML.replace("tickets/find_ticket", "nowhere/x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("routing.routes.main.tools")
                .hasMessageContaining("nowhere");
    }

    @Test
    void badServersAndPatternsGetClearErrors() {
        assertThatThrownBy(() -> load(YAML.replace("url: https://tickets.example/mcp",
                "url: https://tickets.example/mcp\n      command: x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("one or the other");
        assertThatThrownBy(() -> load(YAML.replace("docs/*", "docs")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server/tool");
        assertThatThrownBy(() -> load(YAML.replace("max_steps: 4", "max_steps: 0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max_steps");
    }

    @Test
    void confirmIsTrueForAWholeServerOrMarkedToolByTool() {
        assertThat(load(YAML.replace("confirm: [create_ticket]", "confirm: true")).config().tools().servers()
                .get("tickets").confirm()).containsExactly("*");
        assertThat(load(YAML.replace("confirm: [create_ticket]", "confirm: false")).config().tools().servers()
                .get("tickets").confirm()).isEmpty();
        assertThat(load(YAML.replace("confirm: [create_ticket]",
                "confirm:\n        create_ticket: true\n        find_ticket: false")).config().tools().servers()
                .get("tickets").confirm()).containsExactly("create_ticket");
        assertThat(load(YAML).config().tools().servers().get("docs").confirm()).isEmpty();
    }

    @Test
    void anyOtherConfirmIsAClearError() {
        assertThatThrownBy(() -> load(YAML.replace("confirm: [create_ticket]", "confirm: yes please")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tools.servers.tickets.confirm")
                .hasMessageContaining("confirm: true");
        assertThatThrownBy(() -> load(YAML.replace("confirm: [create_ticket]", "confirm: {create_ticket: 1}")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("confirm.create_ticket: must be true or false");
        assertThatThrownBy(() -> load(YAML.replace("confirm: [create_ticket]", "confirm: [[x]]")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tool names");
    }

    @Test
    void theRoutersToolOptionsComeFromRoutesAndOverrides() {
        var options = dev.switchboard.ToolWiringAccess.options(load(YAML).config());

        assertThat(options.routeTools().get("main")).containsExactly("docs/*", "tickets/find_ticket");
        assertThat(options.places()).hasSize(1);
        assertThat(options.maxSteps()).isEqualTo(4);
        assertThat(dev.switchboard.ToolWiringAccess.servers(load(YAML).config())).extracting(Object::toString)
                .allSatisfy(s -> assertThat(s).doesNotContain("secret"));
        assertThat(List.of(options.replyDeadline())).containsExactly(Duration.ofMinutes(5));
    }
}
