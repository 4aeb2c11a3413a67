package dev.switchboard.config;

import java.time.Duration;

/**
 * The {@code slack.stream_budgets} section: Slack's own per-workspace limits of its native-streaming methods, each
 * counted apart from {@code chat.update} and from one another. Immutable.
 *
 * @param start {@code chat.startStream} calls per workspace (Tier 2: 20 a minute)
 * @param append {@code chat.appendStream} calls per workspace (Tier 4: 100 a minute)
 * @param stop {@code chat.stopStream} calls per workspace (Tier 2: 20 a minute)
 */
public record SlackStreamBudgets(SwitchboardConfig.RateLimit start, SwitchboardConfig.RateLimit append,
                                 SwitchboardConfig.RateLimit stop) {
    public SlackStreamBudgets {
        start = start != null ? start : new SwitchboardConfig.RateLimit(20, Duration.ofMinutes(1));
        append = append != null ? append : new SwitchboardConfig.RateLimit(100, Duration.ofMinutes(1));
        stop = stop != null ? stop : new SwitchboardConfig.RateLimit(20, Duration.ofMinutes(1));
    }
}
