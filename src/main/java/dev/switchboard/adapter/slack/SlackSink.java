package dev.switchboard.adapter.slack;

import com.slack.api.model.Message;
import dev.switchboard.live.ReplySink;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * A reply shown with {@code chat.postMessage} and edited with {@code chat.update}, in Slack's mrkdwn. Each message
 * holds at most {@link #MAX_CHARS}: Slack documents 40,000 characters but rejects edits far shorter with
 * {@code msg_too_long}. Every message it posts carries message metadata naming the question it answers
 * ({@link #marker}), so a restart finds a reply's messages that Slack took but the store never heard of, and a post
 * whose answer was lost is found instead of being posted twice.
 */
final class SlackSink implements ReplySink {

    /** Asks about {@code confirm}ed tools; unset, they are declined. */
    final dev.switchboard.live.ApprovalHook approvals = new dev.switchboard.live.ApprovalHook();

    @Override
    public java.util.concurrent.CompletableFuture<Boolean> askApproval(dev.switchboard.routing.ToolStatus call) {
        return approvals.ask(call);
    }

    static final int MAX_CHARS = 3_500;
    /** The event type of the message metadata on a reply's messages. */
    static final String REPLY = "switchboard_reply";

    private final SlackApi api;
    private final String channel;
    private final String threadTs;
    private final Message.Metadata marker;
    private final java.time.Instant asked;
    private final Runnable historyPermit;
    /** Every message this sink posted or was asked to edit: a post whose answer was lost is none of these. */
    private final java.util.Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** What each message posted or edited through this sink shows now, for the feedback buttons' final write. */
    private final Map<String, String> shown = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param threadTs the thread to answer in; null for the channel itself (a direct message)
     * @param questionTs the message answered, named in the metadata of every message posted
     * @param historyPermit waits for the rate limit of the thread reads that look for a post whose answer was lost
     */
    SlackSink(SlackApi api, String channel, String threadTs, String questionTs, Runnable historyPermit) {
        this.api = api;
        this.channel = channel;
        this.threadTs = threadTs;
        this.marker = marker(questionTs);
        this.asked = SlackApi.instant(questionTs);
        this.historyPermit = historyPermit;
    }

    /** The message metadata marking the messages of the reply to message {@code questionTs}. */
    static Message.Metadata marker(String questionTs) {
        return Message.Metadata.builder().eventType(REPLY).eventPayload(Map.of("reply_to", questionTs)).build();
    }

    @Override
    public CompletionStage<String> post(String text) {
        return api.postOnce(channel, threadTs, text, marker, asked, known,
                threadTs == null ? () -> { } : historyPermit).thenApply(ts -> {
                    known.add(ts);
                    shown.put(ts, text);
                    return ts;
                });
    }

    @Override
    public CompletionStage<Void> edit(String messageId, String text) {
        known.add(messageId);
        return api.update(channel, messageId, text).thenApply(v -> {
            shown.put(messageId, text);
            return v;
        });
    }

    /**
     * Puts the feedback buttons under a finished reply's message, its text unchanged (the same text, shown by
     * section blocks); nothing for a message this sink did not write (an earlier process's).
     */
    java.util.concurrent.CompletableFuture<Void> addFeedback(String messageId) {
        String text = shown.get(messageId);
        return text == null ? java.util.concurrent.CompletableFuture.completedFuture(null)
                : api.update(channel, messageId, text, SlackFeedback.withMrkdwn(text, messageId));
    }

    @Override
    public CompletionStage<Void> delete(String messageId) {
        shown.remove(messageId);
        return api.delete(channel, messageId);
    }

    @Override
    public int maxChars() {
        return MAX_CHARS;
    }

    @Override
    public String format(String markdown) {
        return SlackMarkdown.MRKDWN.format(markdown);
    }
}
