package dev.switchboard.live;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Where a live reply is written: one thread of one channel on one platform. Calls return at once; the stage
 * completes when the platform answered, or exceptionally with a {@link WriteFailed}.
 */
public interface ReplySink {

    /** Posts a new message in the thread. @return the platform's message id */
    CompletionStage<String> post(String text);

    CompletionStage<Void> edit(String messageId, String text);

    CompletionStage<Void> delete(String messageId);

    /** Longest text one message may hold on this platform. */
    int maxChars();

    /** Markdown as this platform shows it, mentions made harmless. */
    String format(String markdown);

    /**
     * What a reply shows before its first token; empty to show nothing until then (a platform with its own
     * "thinking" indicator).
     */
    default String placeholder() {
        return LiveReplies.THINKING;
    }

    /** Appended to the text while it streams; empty where the platform shows progress itself. */
    default String cursor() {
        return LiveReplies.CURSOR;
    }

    /**
     * Shows a tool call's progress the platform's own way (Slack's streaming task updates) and returns true; false
     * (the default) lets the live engine write a status line in the message.
     */
    default boolean showsToolStatus(dev.switchboard.routing.ToolStatus status) {
        return false;
    }

    /**
     * Asks the user who asked to approve a {@code confirm}ed tool call (a button, a prompt); completes with true when
     * they (or an operator) approved. The default declines: a platform without a way to ask never runs such a tool.
     */
    default java.util.concurrent.CompletableFuture<Boolean> askApproval(dev.switchboard.routing.ToolStatus call) {
        return java.util.concurrent.CompletableFuture.completedFuture(false);
    }

    /** Why a write failed. */
    final class WriteFailed extends RuntimeException {

        /** What kind of failure. */
        public enum Kind { RATE_LIMITED, GONE, REJECTED }

        private final Kind kind;
        private final Duration retryAfter;

        public WriteFailed(Kind kind, Duration retryAfter, String message) {
            super(message, null, false, false);
            this.kind = kind;
            this.retryAfter = retryAfter == null ? Duration.ofSeconds(1) : retryAfter;
        }

        public Kind kind() {
            return kind;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }
}
