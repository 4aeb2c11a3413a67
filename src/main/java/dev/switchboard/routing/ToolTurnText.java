package dev.switchboard.routing;

import dev.switchboard.conversation.Turn;

/** A stored tool turn as the model reads it in a later reply: a bracketed note before the answer it served. */
final class ToolTurnText {

    private ToolTurnText() {
    }

    static String of(Turn tool) {
        return "[earlier tool call " + tool.authorId() + " " + tool.text() + "]";
    }
}
