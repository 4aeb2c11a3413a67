package dev.switchboard.live;

import dev.switchboard.routing.ToolStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The status lines of a reply's tool calls, one per call, in the order the calls began: shown below the text so far
 * while tools run, and dropped as soon as the answer streams on. Only the tool's name and a short summary of its
 * arguments are shown, never what a tool returned. Guarded by the live engine's lock.
 */
final class ToolLines {

    private final Map<String, ToolStatus> calls = new LinkedHashMap<>();
    private boolean showing;

    /** A call began, waits, or ended: its line is replaced. */
    void update(ToolStatus status) {
        calls.put(status.id(), status);
        showing = true;
    }

    /** More answer text came: the lines make way for it. */
    void answerStreams() {
        if (showing) {
            calls.clear();
            showing = false;
        }
    }

    boolean showing() {
        return showing && !calls.isEmpty();
    }

    /** The text so far with the status lines below it (Markdown, formatted with the rest: mentions defused). */
    String below(String text) {
        if (!showing()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.strip());
        if (!out.isEmpty()) {
            out.append("\n\n");
        }
        for (ToolStatus s : calls.values()) {
            out.append(s.line()).append('\n');
        }
        return out.toString().stripTrailing();
    }
}
