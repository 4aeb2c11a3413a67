package dev.switchboard.routing;

import dev.switchboard.conversation.TokenUsage;
import java.time.Duration;
import java.util.List;

/** How a reply ended. */
public sealed interface ReplyOutcome {

    /**
     * A target answered in full.
     *
     * @param text the whole answer
     * @param target who answered
     * @param failures targets that failed or were skipped before, in order
     * @param usage tokens the answering provider counted
     * @param firstToken request to first token
     * @param latency request to last token
     * @param omittedTurns older turns left out of the prompt to fit the model's window
     * @param costUsd what the answer cost by the config's price table; 0 where no price is set
     */
    record Completed(String text, Target target, List<TargetFailure> failures, TokenUsage usage, Duration firstToken,
                     Duration latency, int omittedTurns, double costUsd, List<ToolCall> toolCalls)
            implements ReplyOutcome {

        public Completed(String text, Target target, List<TargetFailure> failures, TokenUsage usage,
                         Duration firstToken, Duration latency, int omittedTurns, double costUsd) {
            this(text, target, failures, usage, firstToken, latency, omittedTurns, costUsd, List.of());
        }

        public Completed {
            failures = List.copyOf(failures);
            toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        }

        /** Whether another target had been tried or skipped first. */
        public boolean fellBack() {
            return !failures.isEmpty();
        }
    }

    /**
     * No target answered.
     *
     * @param userMessage one short, friendly line for the user: what happened and whether to retry
     * @param failures every target tried or skipped, and why
     */
    record Failed(String userMessage, List<TargetFailure> failures) implements ReplyOutcome {
        public Failed {
            failures = List.copyOf(failures);
        }
    }

    /** The reply was stopped on purpose; nothing more will be sent. */
    record Cancelled(String reason) implements ReplyOutcome { }
}
