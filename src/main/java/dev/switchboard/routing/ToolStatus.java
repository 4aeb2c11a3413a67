package dev.switchboard.routing;

import java.time.Duration;

/**
 * One tool call as the user sees it while the reply runs.
 *
 * @param id the call's id, the same for every status of one call
 * @param tool {@code server/tool}
 * @param arguments a short summary of the arguments (never the whole of them)
 * @param state where the call is
 * @param took how long it ran, zero until it ended
 */
public record ToolStatus(String id, String tool, String arguments, State state, Duration took) {

    /** Where a call is. */
    public enum State { WAITING_FOR_APPROVAL, RUNNING, DONE, FAILED, DECLINED }

    /** Whether the call is over. */
    public boolean ended() {
        return state == State.DONE || state == State.FAILED || state == State.DECLINED;
    }

    /** One line for a status message: {@code 🔧 search_docs (query: "x") — done in 1.2 s}. */
    public String line() {
        String call = tool + (arguments.isEmpty() ? "" : " (" + arguments + ")");
        return switch (state) {
            case WAITING_FOR_APPROVAL -> "⏸ " + call + " — waiting for approval";
            case RUNNING -> "🔧 " + call + " …";
            case DONE -> "✅ " + call + " — done in " + seconds();
            case FAILED -> "⚠️ " + call + " — failed after " + seconds();
            case DECLINED -> "🚫 " + call + " — not approved";
        };
    }

    private String seconds() {
        return String.format(java.util.Locale.ROOT, "%.1f s", took.toMillis() / 1000.0);
    }
}
