package dev.switchboard.adapter.slack;

import dev.switchboard.live.ReplySink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A reply shown with Slack's native streaming: {@code chat.startStream} opens a message, {@code chat.appendStream}
 * adds what is new, {@code chat.stopStream} closes it. Slack shows its own progress, so there is no placeholder and
 * no cursor. Streams only grow: a change that is not an extension (a fallback starting over, a message cut shorter
 * when the reply splits) stops the stream and replaces the text with {@code chat.update}. Thread-safe.
 */
final class SlackStreamSink implements ReplySink {

    /** Asks about {@code confirm}ed tools; unset, they are declined. */
    final dev.switchboard.live.ApprovalHook approvals = new dev.switchboard.live.ApprovalHook();

    @Override
    public java.util.concurrent.CompletableFuture<Boolean> askApproval(dev.switchboard.routing.ToolStatus call) {
        return approvals.ask(call);
    }

    private static final Logger log = LoggerFactory.getLogger(SlackStreamSink.class);

    private final SlackApi api;
    private final String channel;
    private final String threadTs;
    private final String recipientUser;
    private final String recipientTeam;
    /** Open streams by message ts, with the text each shows. */
    private final Map<String, String> open = new LinkedHashMap<>();
    /** What every message of the reply shows now, streams closed early included: for the feedback buttons. */
    private final Map<String, String> texts = new java.util.concurrent.ConcurrentHashMap<>();

    /** Tool calls shown as Slack's task cards in the stream (see {@link SlackStreamTasks}). */
    final SlackStreamTasks tasks;
    private final Object taskLock = new Object();
    /** The reply's newest stream (its ts once open); null before any. */
    private CompletableFuture<String> latest;
    /** A stream opened to show a task before any text, which the first post then continues. */
    private CompletableFuture<String> taskStream;
    /** Calls shown as status lines (their stream had closed): they stay lines. */
    private final java.util.Set<String> lineIds = new java.util.HashSet<>();

    SlackStreamSink(SlackApi api, String channel, String threadTs, String recipientUser, String recipientTeam) {
        Map<String, String> opening = new LinkedHashMap<>();
        opening.put("channel", channel);
        opening.put("thread_ts", threadTs);
        opening.put("recipient_user_id", recipientUser);
        opening.put("recipient_team_id", recipientTeam);
        this.tasks = new SlackStreamTasks(api, channel, opening);
        this.api = api;
        this.channel = channel;
        this.threadTs = threadTs;
        this.recipientUser = recipientUser;
        this.recipientTeam = recipientTeam;
    }

    /** A tool call's status as a task card in the reply's stream, while there is one to show it in. */
    @Override
    public boolean showsToolStatus(dev.switchboard.routing.ToolStatus status) {
        synchronized (taskLock) {
            if (lineIds.contains(status.id())) {
                return false;
            }
            if (latest == null) {
                latest = tasks.open(status).thenApply(ts -> {
                    synchronized (open) {
                        open.put(ts, "");
                    }
                    texts.put(ts, "");
                    return ts;
                });
                taskStream = latest;
                return true;
            }
            if (latest.isDone() && (latest.isCompletedExceptionally() || !streaming(latest.join()))) {
                lineIds.add(status.id());
                return false;
            }
            tasks.update(latest, status);
            return true;
        }
    }

    @Override
    public CompletionStage<String> post(String text) {
        synchronized (taskLock) {
            CompletableFuture<String> opened = taskStream;
            taskStream = null;
            if (opened != null) {
                // The stream showing the tasks so far goes on with the answer.
                return opened.thenCompose(ts -> edit(ts, text).thenApply(v -> ts));
            }
            CompletableFuture<String> started = api.startStream(channel, threadTs, text, recipientUser, recipientTeam)
                    .thenApply(ts -> {
                        synchronized (open) {
                            open.put(ts, text);
                        }
                        texts.put(ts, text);
                        return ts;
                    });
            latest = started;
            return started;
        }
    }

    @Override
    public CompletionStage<Void> edit(String messageId, String text) {
        String shown;
        synchronized (open) {
            shown = open.get(messageId);
        }
        if (shown != null && text.startsWith(shown)) {
            if (text.length() == shown.length()) {
                return CompletableFuture.completedFuture(null);
            }
            return api.appendStream(channel, messageId, text.substring(shown.length())).handle((v, error) -> {
                if (error == null) {
                    synchronized (open) {
                        open.replace(messageId, text);
                    }
                    texts.put(messageId, text);
                    return CompletableFuture.<Void>completedFuture(null);
                }
                if (SlackApi.error(error).contains("message_not_in_streaming_state")) {
                    // Slack closed the stream itself: the message is an ordinary one now.
                    synchronized (open) {
                        open.remove(messageId);
                    }
                    return replaced(messageId, text);
                }
                return CompletableFuture.<Void>failedFuture(error);
            }).thenCompose(f -> f);
        }
        return stop(messageId, null).thenCompose(v -> replaced(messageId, text));
    }

    private CompletableFuture<Void> replaced(String messageId, String text) {
        return api.updateMarkdown(channel, messageId, text).thenApply(v -> {
            texts.put(messageId, text);
            return v;
        });
    }

    /** Whether message {@code messageId} is a stream this sink opened and has not closed. */
    boolean streaming(String messageId) {
        synchronized (open) {
            return open.containsKey(messageId);
        }
    }

    /** Whether writing {@code text} to the open stream {@code messageId} only appends to what it shows. */
    boolean appends(String messageId, String text) {
        synchronized (open) {
            String shown = open.get(messageId);
            return shown != null && text.startsWith(shown);
        }
    }

    @Override
    public CompletionStage<Void> delete(String messageId) {
        texts.remove(messageId);
        return stop(messageId, null).thenCompose(v -> api.delete(channel, messageId));
    }

    /**
     * Closes every stream still open once the reply's final text is shown; a 429 is waited out, a few times.
     *
     * @param feedbackOn the message that gets the feedback buttons (with {@code chat.stopStream}'s blocks, or a
     *     {@code chat.update} showing the same Markdown when its stream was closed before); null for none
     */
    CompletableFuture<Void> finish(String feedbackOn) {
        return tasks.sent().thenCompose(v -> finishNow(feedbackOn));
    }

    private CompletableFuture<Void> finishNow(String feedbackOn) {
        List<String> streams;
        synchronized (open) {
            streams = new ArrayList<>(open.keySet());
        }
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (String ts : streams) {
            stops.add(stopPatiently(ts, ts.equals(feedbackOn) ? List.of(SlackFeedback.buttons(ts)) : null, 5));
        }
        String text = feedbackOn == null ? null : texts.get(feedbackOn);
        if (text != null && !streams.contains(feedbackOn)) {
            stops.add(api.update(channel, feedbackOn, text, SlackFeedback.withMarkdown(text, feedbackOn))
                    .exceptionally(e -> {
                        log.warn("slack: the feedback buttons could not be added: {}", SlackApi.error(e));
                        return null;
                    }));
        }
        return CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> stopPatiently(String messageId, List<com.slack.api.model.block.LayoutBlock> blocks,
                                                  int triesLeft) {
        return stop(messageId, blocks).handle((v, error) -> {
            if (error == null) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
            if (triesLeft > 1 && cause instanceof WriteFailed failed
                    && failed.kind() == WriteFailed.Kind.RATE_LIMITED) {
                java.util.concurrent.Executor later = CompletableFuture.delayedExecutor(
                        failed.retryAfter().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                return CompletableFuture.supplyAsync(() -> null, later)
                        .thenCompose(x -> stopPatiently(messageId, blocks, triesLeft - 1));
            }
            log.warn("slack: a streamed reply could not be closed: {}", SlackApi.error(error));
            return CompletableFuture.<Void>completedFuture(null);
        }).thenCompose(f -> f);
    }

    /** Stops a stream, ending it with {@code blocks} when given; it counts as closed only once Slack said so. */
    private CompletableFuture<Void> stop(String messageId, List<com.slack.api.model.block.LayoutBlock> blocks) {
        synchronized (open) {
            if (!open.containsKey(messageId)) {
                return CompletableFuture.completedFuture(null);
            }
        }
        CompletableFuture<Void> call = blocks == null ? api.stopStream(channel, messageId)
                : api.stopStream(channel, messageId, blocks);
        return call.handle((v, error) -> {
            if (error == null || SlackApi.error(error).contains("message_not_in_streaming_state")) {
                synchronized (open) {
                    open.remove(messageId);
                }
                return CompletableFuture.<Void>completedFuture(null);
            }
            return CompletableFuture.<Void>failedFuture(error);
        }).thenCompose(f -> f);
    }

    @Override
    public int maxChars() {
        return SlackSink.MAX_CHARS;
    }

    /** Standard Markdown, which streams accept, with mentions and {@code <!channel>}-style commands defused. */
    @Override
    public String format(String markdown) {
        return SlackMarkdown.STREAM.format(markdown);
    }

    @Override
    public String placeholder() {
        return "";
    }

    @Override
    public String cursor() {
        return "";
    }
}
