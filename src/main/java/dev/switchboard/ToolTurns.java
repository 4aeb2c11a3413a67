package dev.switchboard;

import dev.switchboard.conversation.Turn;
import dev.switchboard.routing.ReplyOutcome;
import java.time.Instant;
import java.util.List;

/** The tool calls of a completed reply as {@code Role.TOOL} turns; the store stamps them with the reply's start. */
final class ToolTurns {

    private ToolTurns() {
    }

    static List<Turn> of(ReplyOutcome outcome) {
        if (!(outcome instanceof ReplyOutcome.Completed c)) {
            return List.of();
        }
        return c.toolCalls().stream().map(t -> Turn.tool(t.tool(), t.arguments() == null ? "{}" : t.arguments(),
                t.result(), t.failed(), Instant.EPOCH)).toList();
    }
}
