package dev.switchboard.routing;

/**
 * A tool call a reply made, as it is stored in the thread: the tool ({@code server/tool}), its arguments as the
 * model wrote them, and the result the model read (already size-capped).
 */
public record ToolCall(String tool, String arguments, String result, boolean failed) {
}
