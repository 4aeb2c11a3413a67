package dev.switchboard.adapter.slack;

import dev.switchboard.live.ReplySink;
import java.util.concurrent.CompletionStage;

/**
 * A reply shown with {@code chat.postMessage} and edited with {@code chat.update}, in Slack's mrkdwn. Each message
 * holds at most {@link #MAX_CHARS}: Slack documents 40,000 characters but rejects edits far shorter with
 * {@code msg_too_long}.
 */
final class SlackSink implements ReplySink {

    static final int MAX_CHARS = 3_500;

    private final SlackApi api;
    private final String channel;
    private final String threadTs;

    /** @param threadTs the thread to answer in; null for the channel itself (a direct message) */
    SlackSink(SlackApi api, String channel, String threadTs) {
        this.api = api;
        this.channel = channel;
        this.threadTs = threadTs;
    }

    @Override
    public CompletionStage<String> post(String text) {
        return api.post(channel, threadTs, text);
    }

    @Override
    public CompletionStage<Void> edit(String messageId, String text) {
        return api.update(channel, messageId, text);
    }

    @Override
    public CompletionStage<Void> delete(String messageId) {
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
