package dev.switchboard.adapter.slack;

import dev.switchboard.live.Budget;
import dev.switchboard.live.Spending;
import java.util.List;

/**
 * Which of Slack's budgets each write of a reply spends, one per method as Slack counts it: {@code chat.postMessage}
 * per channel, {@code chat.update} and {@code chat.delete} per workspace, and with native streaming
 * {@code chat.startStream}, {@code chat.appendStream} and {@code chat.stopStream}, each per workspace. A reply's
 * placeholder therefore waits only for its channel, never for the workspace's edits. Immutable and thread-safe.
 */
final class SlackSpending implements Spending {

    /** The budgets of one channel in one workspace, each shared with every other reply spending it. */
    record Budgets(Budget post, Budget update, Budget delete, Budget start, Budget append, Budget stop) {
    }

    private final List<Budget> post;
    private final List<Budget> update;
    private final List<Budget> delete;
    private final List<Budget> append;
    private final List<Budget> stopAndUpdate;
    private final List<Budget> stopAndDelete;
    /** Null for replies written with chat.postMessage and chat.update. */
    private final SlackStreamSink stream;

    /** @param stream the sink of a natively streamed reply; null for one posted and edited */
    SlackSpending(Budgets budgets, SlackStreamSink stream) {
        this.stream = stream;
        this.post = List.of(stream == null ? budgets.post() : budgets.start());
        this.update = List.of(budgets.update());
        this.delete = List.of(budgets.delete());
        this.append = List.of(budgets.append());
        this.stopAndUpdate = List.of(budgets.stop(), budgets.update());
        this.stopAndDelete = List.of(budgets.stop(), budgets.delete());
    }

    @Override
    public List<Budget> of(Op op, String messageId, String text) {
        boolean open = stream != null && messageId != null && stream.streaming(messageId);
        return switch (op) {
            case POST -> post;
            // An open stream takes what extends it; anything else closes it and replaces its text.
            case EDIT -> !open ? update : text == null || stream.appends(messageId, text) ? append : stopAndUpdate;
            case DELETE -> open ? stopAndDelete : delete;
        };
    }

    /** Every budget a write of the reply may spend, for a write made outside the live engine. */
    List<Budget> all() {
        return stream == null ? List.of(post.getFirst(), update.getFirst())
                : List.of(post.getFirst(), append.getFirst(), update.getFirst());
    }

    /** What closing a streamed reply's streams spends. */
    List<Budget> stops() {
        return List.of(stopAndUpdate.getFirst());
    }

    /** What one more chat.update of a finished reply's message spends (the feedback buttons). */
    List<Budget> edits() {
        return update;
    }
}
