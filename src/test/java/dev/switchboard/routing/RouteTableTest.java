package dev.switchboard.routing;

import dev.switchboard.RouterOptionsMapping;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.ConversationKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private static SwitchboardConfig config(String yaml) {
        return new ConfigLoader().parse(yaml, "test.yaml", Map.of("K", "sk-0123456789abcdef")).config();
    }

    private static final String PROVIDERS = """
            providers:
              a: {type: openai, api_key: "${K}", models: [a1, a2]}
              b: {type: anthropic, api_key: "${K}", models: [b1]}
              off: {type: gemini, models: [g1]}
            """;

    @Test
    void resolve_channelOverrideBeatsWorkspaceBeatsDefault() {
        SwitchboardConfig c = config(PROVIDERS + """
                routing:
                  default_route: main
                  routes:
                    main: {targets: [a/a1], system_prompt: main prompt}
                    fast: {targets: [b/b1]}
                    deep: {targets: [a/a2]}
                  overrides:
                    - {platform: slack, workspace: T1, route: fast}
                    - {platform: slack, workspace: T1, channel: C9, route: deep, system_prompt: C9 prompt}
                    - {platform: slack, workspace: T2, system_prompt: T2 prompt}
                """);
        RouteTable table = new RouteTable(RouterOptionsMapping.of(c));

        assertThat(table.resolve(new ConversationKey("slack", "T1", "C9", "t")).targets())
                .extracting(Target::id).containsExactly("a/a2");
        assertThat(table.resolve(new ConversationKey("slack", "T1", "C9", "t")).systemPrompt()).isEqualTo("C9 prompt");
        assertThat(table.resolve(new ConversationKey("slack", "T1", "C1", "t")).route()).isEqualTo("fast");
        assertThat(table.resolve(new ConversationKey("slack", "T2", "C1", "t")).route()).isEqualTo("main");
        assertThat(table.resolve(new ConversationKey("slack", "T2", "C1", "t")).systemPrompt()).isEqualTo("T2 prompt");
        assertThat(table.resolve(new ConversationKey("discord", "T1", "C9", "t")).route()).isEqualTo("main");
    }

    @Test
    void resolve_withoutRoutes_usesEveryActiveProviderInConfigOrder() {
        SwitchboardConfig c = config(PROVIDERS);

        assertThat(new RouteTable(RouterOptionsMapping.of(c)).resolve(new ConversationKey("x", "y", "z", "t"))
                .targets()).extracting(Target::id).containsExactly("a/a1", "b/b1");
    }

    @Test
    void order_putsLowerPrioritiesFirst_andSharesEqualOnesByWeight() {
        List<Target> targets = List.of(new Target("late", "m", 5, 1), new Target("heavy", "m", 0, 3),
                new Target("light", "m", 0, 1));
        SplittableRandom random = new SplittableRandom(42);
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 4_000; i++) {
            List<Target> ordered = RouteTable.order(targets, random);
            assertThat(ordered.getLast().provider()).isEqualTo("late");
            firsts.merge(ordered.getFirst().provider(), 1, Integer::sum);
        }
        double heavyShare = firsts.get("heavy") / 4_000.0;
        assertThat(heavyShare).isBetween(0.70, 0.80);
    }
}
