package dev.switchboard.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ContextWindowsTest {

    @Test
    void theSampleConfigsCurrentModelsHaveTheirPublishedWindows() {
        assertThat(ContextWindows.of("gpt-5.4-mini", Map.of())).isEqualTo(400_000);
        assertThat(ContextWindows.of("claude-haiku-4-5", Map.of())).isEqualTo(200_000);
        assertThat(ContextWindows.of("claude-sonnet-4-6", Map.of())).isEqualTo(1_000_000);
        assertThat(ContextWindows.of("gemini-3.5-flash-lite", Map.of())).isEqualTo(1_048_576);
    }

    @Test
    void theConfigWins_andAnUnknownModelGetsTheCautiousDefault() {
        assertThat(ContextWindows.of("gpt-5.4-mini", Map.of("gpt-5.4-mini", 50_000))).isEqualTo(50_000);
        assertThat(ContextWindows.of("someones-own-model", Map.of())).isEqualTo(ContextWindows.UNKNOWN);
    }
}
