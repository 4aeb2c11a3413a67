package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.Target;
import dev.switchboard.routing.ToolStatus;
import dev.switchboard.testing.FakeChatPlatform;
import dev.switchboard.testing.ManualTicker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tool status lines in a live reply: one per call, paced like any edit, replaced by the answer. */
class ToolLinesTest {

    private final ManualTicker ticker = new ManualTicker();
    private final FakeChatPlatform platform = new FakeChatPlatform(ticker, 5, Duration.ofSeconds(5), 2_000,
            Duration.ofMillis(10), 1, 0, 0);
    private final Budget channel = new Budget("channel", 5, Duration.ofSeconds(5), ticker);
    private final Live live = new LiveReplies(ticker).start(
            platform.thread("t", "C1", s -> s.replace("@", "@\u200b")), List.of(channel), true);

    private String shown() {
        for (int i = 0; i < 20; i++) {
            ticker.advance(Duration.ofSeconds(1));
        }
        return String.join("", platform.shown("t"));
    }

    @Test
    void statusLinesShowWhileToolsRunThenTheAnswerReplacesThem() {
        live.onToken("Let me look.");
        live.onToolStatus(new ToolStatus("c1", "docs/search", "query: \"@here kafka\"", ToolStatus.State.RUNNING,
                Duration.ZERO));
        live.onToolStatus(new ToolStatus("c2", "docs/fetch", "", ToolStatus.State.RUNNING, Duration.ZERO));
        live.onToolStatus(new ToolStatus("c1", "docs/search", "query: \"@here kafka\"", ToolStatus.State.DONE,
                Duration.ofMillis(1200)));

        String during = shown();
        assertThat(during).contains("Let me look.")
                .contains("✅ docs/search (query: \"@\u200bhere kafka\") — done in 1.2 s")
                .contains("🔧 docs/fetch …").doesNotContain("@here");
        assertThat(platform.overBudget()).isZero();

        live.onToken("\n\nKafka lag is fine.");
        String after = shown();
        assertThat(after).contains("Let me look.").contains("Kafka lag is fine.").doesNotContain("docs/search");

        live.onDone(new ReplyOutcome.Completed("Let me look.\n\nKafka lag is fine.", new Target("p", "m", 0, 1),
                List.of(), TokenUsage.NONE, Duration.ZERO, Duration.ZERO, 0, 0));
        assertThat(shown()).contains("Kafka lag is fine.").doesNotContain("🔧");
        assertThat(platform.overBudget()).isZero();
    }
}
