package dev.switchboard.conversation;

/** Tokens a provider counted for one reply. Immutable. */
public record TokenUsage(long input, long output) {

    public static final TokenUsage NONE = new TokenUsage(0, 0);

    public TokenUsage {
        if (input < 0 || output < 0) {
            throw new IllegalArgumentException("token counts must not be negative: " + input + ", " + output);
        }
    }

    public long total() {
        return input + output;
    }
}
