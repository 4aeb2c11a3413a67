package dev.switchboard.adapter.slack;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.model.Message;
import com.slack.api.model.User;
import dev.switchboard.live.ReplySink.WriteFailed;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Slack Web API calls the adapter makes, each answered as a future on a virtual thread, with Slack's errors turned
 * into {@link WriteFailed} kinds the live engine understands. Thread-safe.
 */
final class SlackApi implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SlackApi.class);

    /** Errors meaning the message or its channel is gone: stop writing there. */
    private static final Set<String> GONE = Set.of("message_not_found", "channel_not_found", "thread_not_found",
            "is_archived");
    /** Errors an operator must fix; logged loudly once. */
    private static final Set<String> MISCONFIGURED = Set.of("invalid_auth", "not_authed", "token_revoked",
            "token_expired", "account_inactive", "missing_scope", "not_allowed_token_type");
    /** Most earlier messages read when rebuilding a thread. */
    static final int MAX_HISTORY = 400;

    private final MethodsClient methods;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private final SlackNames names = new SlackNames(this::userInfo, this::conversationInfo);
    private final AtomicBoolean statusAllowed = new AtomicBoolean(true);
    private final AtomicBoolean toldMisconfigured = new AtomicBoolean();
    private final long[] roundTrips = new long[32];
    private int roundTripCount;

    /** The bot token, for the calls the SDK's request classes cannot make (streams with {@code chunks}). */
    private final String token;

    SlackApi(MethodsClient methods) {
        this(methods, null);
    }

    SlackApi(MethodsClient methods, String token) {
        this.methods = methods;
        this.token = token;
    }

    /**
     * A stream call with {@code chunks} (a JSON array), which Bolt for Java's request classes lack: a form POST
     * through the SDK client. {@code extra} holds the other arguments, null values left out.
     */
    CompletableFuture<com.slack.api.methods.response.chat.ChatStartStreamResponse> streamChunks(
            String method, java.util.Map<String, String> extra, String chunks) {
        return async(method, () -> methods.postFormWithTokenAndParseResponse(form -> {
            extra.forEach((k, v) -> {
                if (v != null) {
                    form.add(k, v);
                }
            });
            return form.add("chunks", chunks);
        }, method, token, com.slack.api.methods.response.chat.ChatStartStreamResponse.class));
    }

    /** The Web API client, for calls made in other classes through {@link #sync} and {@link #async}. */
    MethodsClient methods() {
        return methods;
    }

    /** A Web API call that may throw the SDK's checked exceptions. */
    @FunctionalInterface
    interface Call<T extends SlackApiTextResponse> {
        T call() throws IOException, SlackApiException;
    }

    /** Runs a call on a virtual thread; the future fails with a {@link WriteFailed} when Slack says no. */
    <T extends SlackApiTextResponse> CompletableFuture<T> async(String method, Call<T> call) {
        return CompletableFuture.supplyAsync(() -> sync(method, call), calls);
    }

    <T extends SlackApiTextResponse> T sync(String method, Call<T> call) {
        try {
            return answered(method, call);
        } catch (IOException e) {
            throw unanswered(method, e);
        }
    }

    private static WriteFailed unanswered(String method, IOException e) {
        return new WriteFailed(WriteFailed.Kind.REJECTED, null, method + ": " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }

    /** Slack's answer to a call, or a {@link WriteFailed} when it says no; an answer that never came is thrown. */
    private <T extends SlackApiTextResponse> T answered(String method, Call<T> call) throws IOException {
        T response;
        long asked = System.nanoTime();
        try {
            response = call.call();
            roundTrip(System.nanoTime() - asked);
        } catch (SlackApiException e) {
            roundTrip(System.nanoTime() - asked);
            if (e.getResponse() != null && e.getResponse().code() == 429) {
                throw new WriteFailed(WriteFailed.Kind.RATE_LIMITED, retryAfter(e), method + ": rate limited");
            }
            int status = e.getResponse() == null ? 0 : e.getResponse().code();
            throw new WriteFailed(WriteFailed.Kind.REJECTED, null, method + ": HTTP " + status);
        }
        if (response.isOk()) {
            return response;
        }
        String error = response.getError() == null ? "unknown_error" : response.getError();
        if (error.equals("ratelimited")) {
            throw new WriteFailed(WriteFailed.Kind.RATE_LIMITED, Duration.ofSeconds(1), method + ": ratelimited");
        }
        if (MISCONFIGURED.contains(error) && toldMisconfigured.compareAndSet(false, true)) {
            log.error("slack: {} answered {}{}: check the bot token and the app's scopes (README, \"Slack\")",
                    method, error, response.getNeeded() == null ? "" : " (needs " + response.getNeeded() + ")");
        }
        throw new WriteFailed(GONE.contains(error) ? WriteFailed.Kind.GONE : WriteFailed.Kind.REJECTED, null,
                method + ": " + error);
    }

    /**
     * Sends a file to a user in their direct messages with the bot (needs {@code im:write} and {@code files:write});
     * a failure is logged, since the command that asked was answered already.
     */
    void sendFilePrivately(String user, String name, byte[] content, String comment) {
        try {
            String dm = sync("conversations.open", () -> methods.conversationsOpen(r -> r.users(List.of(user))))
                    .getChannel().getId();
            sync("files.uploadV2", () -> methods.filesUploadV2(r -> r.channel(dm).filename(name).title(name)
                    .fileData(content).initialComment(comment)));
        } catch (WriteFailed e) {
            log.warn("slack: a file for an operator could not be sent ({}); check the im:write and files:write"
                    + " scopes", e.getMessage());
        }
    }

    private void roundTrip(long nanos) {
        synchronized (roundTrips) {
            roundTrips[roundTripCount++ % roundTrips.length] = nanos;
        }
    }

    /** The median round trip of the last Web API calls that reached Slack, or null before the first. */
    Duration latency() {
        long[] sorted;
        synchronized (roundTrips) {
            sorted = java.util.Arrays.copyOf(roundTrips, Math.min(roundTripCount, roundTrips.length));
        }
        if (sorted.length == 0) {
            return null;
        }
        java.util.Arrays.sort(sorted);
        return Duration.ofNanos(sorted[sorted.length / 2]);
    }

    private static Duration retryAfter(SlackApiException e) {
        String header = e.getResponse().header("Retry-After");
        try {
            return Duration.ofSeconds(Math.max(1, Long.parseLong(header == null ? "1" : header.strip())));
        } catch (NumberFormatException bad) {
            return Duration.ofSeconds(1);
        }
    }

    /** The Slack error code carried by a failure, or the failure's text. */
    static String error(Throwable t) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null
                ? t.getCause() : t;
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        int colon = message.indexOf(": ");
        return colon < 0 ? message : message.substring(colon + 2);
    }

    /**
     * Posts a message, in thread {@code threadTs} when given, carrying message {@code metadata} when given, by which
     * {@link #postedWith} finds it again.
     */
    CompletableFuture<String> post(String channel, String threadTs, String text, Message.Metadata metadata) {
        return async("chat.postMessage", posting(channel, threadTs, text, metadata)).thenApply(r -> r.getTs());
    }

    /** Posts a top-level message carrying message metadata, by which {@link #findPosted} finds it again. */
    CompletableFuture<String> post(String channel, String text, Message.Metadata metadata) {
        return post(channel, null, text, metadata);
    }

    /**
     * The ts of a top-level message of the channel since {@code since} whose metadata is {@code marker} (its event
     * type and payload), or empty; {@value #MAX_HISTORY} messages read at most.
     */
    Optional<String> findPosted(String channel, Instant since, Message.Metadata marker) {
        return postedWith(channel, null, since, marker, () -> { }).stream().findFirst();
    }

    /**
     * Posts a message carrying {@code metadata} (see {@link #post}) that is shown at most once. When Slack's answer never
     * comes (a timeout, a connection broken after the request went out), Slack may have taken the post all the same:
     * then the messages carrying {@code metadata} since {@code since} are read, and the newest of them not in
     * {@code known} is the post, instead of a second one beside it on the next try. A post that never left, or that
     * the read does not find, fails as it would have; so does one cut by a stop (the next start looks).
     *
     * @param known the messages this reply already shows, or tried to edit
     * @param beforeEachPage waits for the history read's rate limit
     */
    CompletableFuture<String> postOnce(String channel, String threadTs, String text, Message.Metadata metadata,
                                       Instant since, java.util.Set<String> known, Runnable beforeEachPage) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return answered("chat.postMessage", posting(channel, threadTs, text, metadata)).getTs();
            } catch (IOException e) {
                WriteFailed failed = unanswered("chat.postMessage", e);
                if (neverSent(e) || Thread.currentThread().isInterrupted()) {
                    throw failed;
                }
                List<String> taken;
                try {
                    taken = postedWith(channel, threadTs, since, metadata, beforeEachPage).stream()
                            .filter(ts -> !known.contains(ts)).toList();
                } catch (WriteFailed unread) {
                    throw failed;
                }
                if (taken.isEmpty()) {
                    throw failed;
                }
                log.info("slack: a post's answer never came ({}), but Slack shows it; the reply continues in it",
                        failed.getMessage());
                return taken.getLast();
            }
        }, calls);
    }

    private Call<com.slack.api.methods.response.chat.ChatPostMessageResponse> posting(
            String channel, String threadTs, String text, Message.Metadata metadata) {
        return () -> methods.chatPostMessage(r -> r.channel(channel).threadTs(threadTs).text(text).mrkdwn(true)
                .unfurlLinks(false).unfurlMedia(false).metadata(metadata));
    }

    /** Whether the request cannot have reached Slack: the connection was never made. */
    private static boolean neverSent(IOException e) {
        return e instanceof java.net.ConnectException || e instanceof java.net.UnknownHostException
                || e instanceof java.net.NoRouteToHostException
                || e instanceof java.net.SocketTimeoutException && "connect timed out".equals(e.getMessage());
    }

    /**
     * The ts of the messages since {@code since} whose metadata is {@code marker}, oldest first: top-level messages of
     * the channel (conversations.history), or those of thread {@code threadTs} when given (conversations.replies).
     * Slack shows metadata only when asked with {@code include_all_metadata}. Reads {@value #MAX_HISTORY} messages
     * at most; each page waits for {@code beforeEachPage}.
     */
    List<String> postedWith(String channel, String threadTs, Instant since, Message.Metadata marker,
                            Runnable beforeEachPage) {
        String oldest = String.format(java.util.Locale.ROOT, "%d.%06d", since.getEpochSecond(),
                since.getNano() / 1_000);
        List<String> found = new ArrayList<>();
        String cursor = null;
        int read = 0;
        do {
            beforeEachPage.run();
            Page page = threadTs == null ? historyPage(channel, oldest, cursor)
                    : repliesPage(channel, threadTs, oldest, cursor);
            for (Message m : page.messages()) {
                if (m.getMetadata() != null && marker.getEventType().equals(m.getMetadata().getEventType())
                        && marker.getEventPayload().equals(m.getMetadata().getEventPayload())) {
                    found.add(m.getTs());
                }
            }
            read += page.messages().size();
            cursor = page.next();
        } while (cursor != null && !cursor.isEmpty() && read < MAX_HISTORY);
        found.sort(java.util.Comparator.comparing(SlackApi::instant));
        return found;
    }

    /** One page of messages read with their metadata, and the cursor to the next (null after the last). */
    private record Page(List<Message> messages, String next) { }

    private Page historyPage(String channel, String oldest, String cursor) {
        var response = sync("conversations.history", () -> methods.conversationsHistory(r -> r.channel(channel)
                .oldest(oldest).inclusive(true).includeAllMetadata(true).limit(100).cursor(cursor)));
        return new Page(response.getMessages(), response.isHasMore() && response.getResponseMetadata() != null
                ? response.getResponseMetadata().getNextCursor() : null);
    }

    private Page repliesPage(String channel, String threadTs, String oldest, String cursor) {
        var response = sync("conversations.replies", () -> methods.conversationsReplies(r -> r.channel(channel)
                .ts(threadTs).oldest(oldest).inclusive(true).includeAllMetadata(true).limit(100).cursor(cursor)));
        return new Page(response.getMessages(), response.isHasMore() && response.getResponseMetadata() != null
                ? response.getResponseMetadata().getNextCursor() : null);
    }

    /** Posts a message with blocks in thread {@code threadTs} ({@code text} is the notification's). */
    CompletableFuture<String> postBlocks(String channel, String threadTs, String text,
                                         List<com.slack.api.model.block.LayoutBlock> blocks) {
        return async("chat.postMessage", () -> methods.chatPostMessage(r -> r.channel(channel).threadTs(threadTs)
                .text(text).blocks(blocks).unfurlLinks(false).unfurlMedia(false))).thenApply(r -> r.getTs());
    }

    CompletableFuture<Void> update(String channel, String ts, String text) {
        return async("chat.update", () -> methods.chatUpdate(r -> r.channel(channel).ts(ts).text(text)))
                .thenApply(r -> null);
    }

    /** Replaces a message's text and blocks ({@code text} stays the notification's and the fallback's text). */
    CompletableFuture<Void> update(String channel, String ts, String text,
                                   List<com.slack.api.model.block.LayoutBlock> blocks) {
        return async("chat.update", () -> methods.chatUpdate(r -> r.channel(channel).ts(ts).text(text)
                .blocks(blocks))).thenApply(r -> null);
    }

    /** Replaces a message's text with standard Markdown (a stopped native stream). */
    CompletableFuture<Void> updateMarkdown(String channel, String ts, String markdown) {
        return async("chat.update", () -> methods.chatUpdate(r -> r.channel(channel).ts(ts).markdownText(markdown)))
                .thenApply(r -> null);
    }

    CompletableFuture<Void> delete(String channel, String ts) {
        return async("chat.delete", () -> methods.chatDelete(r -> r.channel(channel).ts(ts))).thenApply(r -> null);
    }

    CompletableFuture<String> startStream(String channel, String threadTs, String markdown, String recipientUser,
                                          String recipientTeam) {
        return async("chat.startStream", () -> methods.chatStartStream(r -> r.channel(channel).threadTs(threadTs)
                .markdownText(markdown).recipientUserId(recipientUser).recipientTeamId(recipientTeam)))
                .thenApply(r -> r.getTs());
    }

    CompletableFuture<Void> appendStream(String channel, String ts, String markdown) {
        return async("chat.appendStream", () -> methods.chatAppendStream(r -> r.channel(channel).ts(ts)
                .markdownText(markdown))).thenApply(r -> null);
    }

    CompletableFuture<Void> stopStream(String channel, String ts) {
        return async("chat.stopStream", () -> methods.chatStopStream(r -> r.channel(channel).ts(ts)))
                .thenApply(r -> null);
    }

    /** Closes a stream, ending its message with {@code blocks}. */
    CompletableFuture<Void> stopStream(String channel, String ts, List<com.slack.api.model.block.LayoutBlock> blocks) {
        return async("chat.stopStream", () -> methods.chatStopStream(r -> r.channel(channel).ts(ts).blocks(blocks)))
                .thenApply(r -> null);
    }

    void ephemeral(String channel, String user, String text) {
        ephemeral(channel, user, text, null);
    }

    /** A private note, in a thread when {@code threadTs} is given. */
    void ephemeral(String channel, String user, String text, String threadTs) {
        async("chat.postEphemeral", () -> methods.chatPostEphemeral(r -> r.channel(channel).user(user).text(text)
                .threadTs(threadTs)))
                .exceptionally(e -> {
                    log.warn("slack: could not tell a user something privately: {}", error(e));
                    return null;
                });
    }

    /** Shows "is thinking…" under the thread, where the app may; the first refusal turns it off for good. */
    void status(String channel, String threadTs, String status) {
        status(channel, threadTs, status, List.of());
    }

    /**
     * Shows a status under the thread, where the app may, with {@code loadingMessages} (none: Slack shows
     * {@code status} alone) rotating in its place while an answer is prepared; "" clears it.
     */
    void status(String channel, String threadTs, String status, List<String> loadingMessages) {
        if (!statusAllowed.get() || threadTs == null) {
            return;
        }
        List<String> rotating = status.isEmpty() || loadingMessages.isEmpty() ? null : loadingMessages;
        async("assistant.threads.setStatus", () -> methods.assistantThreadsSetStatus(r -> r.channelId(channel)
                .threadTs(threadTs).status(status).loadingMessages(rotating))).exceptionally(e -> {
                    String error = error(e);
                    if (error.contains("missing_scope") || error.contains("not_allowed") || error.contains("method")) {
                        if (statusAllowed.compareAndSet(true, false)) {
                            log.info("slack: the app may not set a thread status ({}); showing a placeholder"
                                    + " message only", error);
                        }
                    }
                    return null;
                });
    }

    /** A user's display name for a message being taken (see {@link SlackNames#userBeforeAck}). */
    String knownName(String userId) {
        return names.userBeforeAck(userId);
    }

    /** A user's display name, from the cache or users.info; empty when Slack does not say within a second. */
    String displayName(String userId) {
        return names.user(userId);
    }

    /** A channel's name for {@code {channel}} in prompts (see {@link SlackNames#channelBeforeAck}). */
    String channelName(String channel) {
        return channel == null ? "" : names.channelBeforeAck(channel);
    }

    /** A channel's name when Slack gives it (for work after the acknowledgement); empty for a direct message. */
    CompletableFuture<String> channelNameLater(String channel) {
        return names.channel(channel);
    }

    private CompletableFuture<String> userInfo(String userId) {
        return async("users.info", () -> methods.usersInfo(r -> r.user(userId))).thenApply(r -> nameOf(r.getUser()));
    }

    private CompletableFuture<String> conversationInfo(String channel) {
        return async("conversations.info", () -> methods.conversationsInfo(r -> r.channel(channel)))
                .thenApply(r -> r.getChannel() == null || r.getChannel().getName() == null ? ""
                        : r.getChannel().getName());
    }

    private static String nameOf(User user) {
        if (user == null) {
            return "";
        }
        User.Profile p = user.getProfile();
        for (String candidate : new String[] {p == null ? null : p.getDisplayName(), p == null ? null
                : p.getRealName(), user.getRealName(), user.getName()}) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate.strip();
            }
        }
        return "";
    }

    /** Up to {@link #MAX_HISTORY} messages of a thread, oldest first; each page waits for {@code beforeEachPage}. */
    List<Message> replies(String channel, String threadTs, Runnable beforeEachPage) {
        List<Message> all = new ArrayList<>();
        String cursor = null;
        do {
            beforeEachPage.run();
            String page = cursor;
            var response = sync("conversations.replies", () -> methods.conversationsReplies(r -> r.channel(channel)
                    .ts(threadTs).limit(200).cursor(page)));
            all.addAll(response.getMessages());
            cursor = response.isHasMore() && response.getResponseMetadata() != null
                    ? response.getResponseMetadata().getNextCursor() : null;
        } while (cursor != null && !cursor.isEmpty() && all.size() < MAX_HISTORY);
        return all;
    }

    /** Slack's message timestamp ({@code "1732406400.000100"}) as an instant. */
    static Instant instant(String ts) {
        int dot = ts.indexOf('.');
        long seconds = Long.parseLong(dot < 0 ? ts : ts.substring(0, dot));
        long micros = dot < 0 ? 0 : Long.parseLong((ts.substring(dot + 1) + "000000").substring(0, 6));
        return Instant.ofEpochSecond(seconds, micros * 1_000);
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
