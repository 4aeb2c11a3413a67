package dev.switchboard.live;

import dev.switchboard.routing.ReplyOutcome;

/** What a reply's messages end with, by how the reply ended. */
final class FinalText {

    static final String INTERRUPTED = "_(interrupted: the service restarted before this answer was finished;"
            + " please ask again)_";

    private FinalText() {
    }

    /**
     * @param source the text streamed so far, in the model's Markdown
     * @param footerOnFallback whether a reply that fell back ends with a line naming who answered
     */
    static String of(ReplyOutcome outcome, String source, ReplySink sink, boolean footerOnFallback) {
        String display = switch (outcome) {
            case ReplyOutcome.Completed c -> sink.format(c.text())
                    + (footerOnFallback && c.fellBack() ? "\n_answered by " + c.target().provider() + "_" : "");
            case ReplyOutcome.Failed f -> source.isEmpty() ? f.userMessage()
                    : sink.format(source) + "\n\n_" + f.userMessage() + "_";
            case ReplyOutcome.Cancelled c -> {
                String why = LiveReplies.SHUTDOWN.equals(c.reason()) ? INTERRUPTED : "_(stopped)_";
                yield source.isEmpty() ? why : sink.format(source) + "\n" + why;
            }
        };
        return display.isBlank() ? "_(no answer)_" : display;
    }
}
