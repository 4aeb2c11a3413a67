package dev.switchboard.testing;

import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.conversation.Turn;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Conversation values for tests and benchmarks. */
public final class Turns {

    private Turns() {
    }

    public static ConversationKey slackKey(String thread) {
        return new ConversationKey("slack", "T0001", "C0001", thread);
    }

    public static Turn user(String author, String text, Instant at) {
        return Turn.user(author, "User " + author, text, at, List.of("m-" + text.hashCode()));
    }

    public static Turn assistant(String text, Instant at) {
        return Turn.assistant("B0001", text, at, List.of("r-" + text.hashCode(), "r2-" + text.hashCode()),
                new AssistantMeta("anthropic", "claude-3-5-haiku-latest", List.of("openai/gpt-4o-mini"),
                        new TokenUsage(1234, 567), Duration.ofMillis(420), Duration.ofMillis(3180)));
    }

    /** About {@code chars} characters of words, different for each seed. */
    public static String words(int seed, int chars) {
        StringBuilder sb = new StringBuilder(chars + 16);
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        while (sb.length() < chars) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            int len = 2 + (int) Math.floorMod(x, 9);
            for (int i = 0; i < len; i++) {
                sb.append((char) ('a' + Math.floorMod(x >>> (i * 5), 26)));
            }
            sb.append(' ');
        }
        return sb.substring(0, chars);
    }
}
