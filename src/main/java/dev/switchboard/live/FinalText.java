package dev.switchboard.live;

import dev.switchboard.routing.ReplyOutcome;
import java.util.function.Function;

/** What a reply's messages end with, by how the reply ended. */
final class FinalText {

    static final String INTERRUPTED = "_(interrupted: the service restarted before this answer was finished;"
            + " please ask again)_";

    private FinalText() {
    }

    /** The footer of an ordinary reply: who answered, when it fell back and that is wanted. */
    static Function<ReplyOutcome, String> fallbackFooter(boolean footerOnFallback) {
        return outcome -> footerOnFallback && outcome instanceof ReplyOutcome.Completed c && c.fellBack()
                ? "_answered by " + c.target().provider() + "_" : "";
    }

    /**
     * @param source the text streamed so far, in the model's Markdown
     * @param footer the line under the text by how the reply ended; empty for none
     */
    static String of(ReplyOutcome outcome, String source, ReplySink sink, Function<ReplyOutcome, String> footer) {
        String display = switch (outcome) {
            case ReplyOutcome.Completed c -> sink.format(c.text());
            case ReplyOutcome.Failed f -> source.isEmpty() ? f.userMessage()
                    : sink.format(source) + "\n\n_" + f.userMessage() + "_";
            case ReplyOutcome.Cancelled c -> {
                String why = LiveReplies.SHUTDOWN.equals(c.reason()) ? INTERRUPTED : "_(stopped)_";
                yield source.isEmpty() ? why : sink.format(source) + "\n" + why;
            }
        };
        String under = footer.apply(outcome);
        if (!under.isEmpty()) {
            display = display + "\n" + under;
        }
        return display.isBlank() ? "_(no answer)_" : display;
    }
}
