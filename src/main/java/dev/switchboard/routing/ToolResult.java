package dev.switchboard.routing;

/**
 * What one tool call gave back, as the model will read it.
 *
 * @param text the tool's text, or why it failed
 * @param failed whether the call failed (an error from the tool, a timeout, a server down, a user who declined)
 */
public record ToolResult(String text, boolean failed) {

    public ToolResult {
        text = text == null ? "" : text;
    }

    public static ToolResult ok(String text) {
        return new ToolResult(text, false);
    }

    public static ToolResult failed(String why) {
        return new ToolResult(why, true);
    }

    /** At most {@code max} characters, saying how much was cut so the model knows the result is partial. */
    ToolResult capped(int max) {
        if (text.length() <= max) {
            return this;
        }
        return new ToolResult(text.substring(0, max) + "\n[… " + (text.length() - max)
                + " more characters cut: the result was too long]", failed);
    }
}
