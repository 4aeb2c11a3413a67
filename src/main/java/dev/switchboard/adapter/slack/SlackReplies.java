package dev.switchboard.adapter.slack;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.SharedBudgets;
import dev.switchboard.live.Ticker;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where replies are written: the thread a reply goes to, with its sink (messages edited as they grow, or a native
 * stream) and the budgets its writes spend, shared with every other write to the same channel and workspace.
 * Thread-safe.
 */
final class SlackReplies {

    private final SlackApi api;
    private final SwitchboardConfig.Slack config;
    private final Ticker ticker;
    private final String botUser;
    private final String botId;
    /**
     * The workspace the bot's token belongs to, which Slack counts every call of the token against: the budgets Slack
     * keeps per workspace are this one's, whatever team an event names (a Slack Connect channel's other team, or a
     * forged one).
     */
    private final String workspace;
    /** How far apart a reply's chat.update edits may come before {@code stream_when_busy} streams a new reply. */
    static final Duration BUSY = Duration.ofSeconds(3);

    private final Map<String, Budget> budgets = new ConcurrentHashMap<>();
    /**
     * conversations.replies: Tier 3 for most apps, far less for some since 2025; keep well inside it. The burst lets a
     * node that takes over a dead node's threads look for each cut reply's messages at once (five cut threads waited
     * 3 and 6 s with a burst of 3); messages stored for threads a node holds need no look-up, so it is rarely spent.
     */
    private final Bucket historyLimit = Bucket.builder()
            .addLimit(l -> l.capacity(8).refillGreedy(20, Duration.ofMinutes(1))).build();

    private final java.util.function.BooleanSupplier feedback;
    /** Divides the workspace's budgets among the nodes of a cluster; shares 429s of the channels' among them too. */
    volatile SharedBudgets shares = new SharedBudgets();

    /**
     * @param workspace the team of the bot's token ({@code auth.test})
     * @param feedback whether finished answers carry the feedback buttons
     */
    SlackReplies(SlackApi api, SwitchboardConfig.Slack config, Ticker ticker, String botUser, String botId,
                 String workspace, java.util.function.BooleanSupplier feedback) {
        this.workspace = workspace;
        this.feedback = feedback;
        this.api = api;
        this.config = config;
        this.ticker = ticker;
        this.botUser = botUser;
        this.botId = botId;
    }

    private volatile SlackApprovals approvals;

    /** Confirmed tools ask with Approve / Deny buttons in the reply's thread (a DM's channel when none). */
    void useApprovals(SlackApprovals approvals) {
        this.approvals = approvals;
    }

    /**
     * The thread answering message {@code messageTs} of {@code user}.
     *
     * @param team the team the event names: the recipient's, for a native stream
     * @param replyIn the Slack thread to answer in; null for a direct message answered in the channel itself
     */
    SlackThread thread(String team, String channel, String replyIn, String messageTs, String user, boolean dm) {
        SlackSpending.Budgets spend = budgets(channel);
        boolean stream = replyIn != null && (config.nativeStreaming() ? streamStartFree() : streamWhenBusy(spend));
        var asking = approvals == null ? null : approvals.asking(channel, replyIn, user);
        SlackStreamSink streamSink = stream
                ? new SlackStreamSink(api, channel, replyIn, dm ? null : user, dm ? null : team) : null;
        ReplySink sink;
        if (stream) {
            streamSink.approvals.set(asking);
            sink = streamSink;
        } else {
            SlackSink plain = new SlackSink(api, channel, replyIn, messageTs, this::historyPermit);
            plain.approvals.set(asking);
            sink = plain;
        }
        if (streamSink != null) {
            streamSink.tasks.pace(spend.start(), spend.append()); // task cards spend like the stream's own writes
        }
        return new SlackThread(api, sink, new SlackSpending(spend, streamSink), channel, replyIn, messageTs, botUser,
                botId, this::historyPermit,
                new SlackThread.Status(config.assistant().enabled() ? config.assistant().loadingMessages()
                        : List.of(), statusAllowance()), feedback.getAsBoolean());
    }

    /** The budgets a reply in {@code channel} spends, one per method. */
    SlackSpending.Budgets budgets(String channel) {
        String ws = "slack " + workspace + " ";
        dev.switchboard.config.SlackStreamBudgets streams = config.streamBudgets();
        return new SlackSpending.Budgets(posts(channel), workspace(ws + "chat.update", config.updateBudget()),
                workspace(ws + "chat.delete", config.updateBudget()), workspace(ws + "chat.startStream",
                streams.start()), workspace(ws + "chat.appendStream", streams.append()),
                workspace(ws + "chat.stopStream", streams.stop()));
    }

    /**
     * Whether a reply starting now streams natively because the workspace's chat.update budget is busy
     * ({@code stream_when_busy}): when the replies already waiting for chat.update would keep a new one's edits
     * {@link #BUSY} apart or more, and the stream methods have room ({@link #streamStartFree}).
     */
    private boolean streamWhenBusy(SlackSpending.Budgets spend) {
        if (!config.streamWhenBusy()) {
            return false;
        }
        Budget update = spend.update();
        long queued = update.interval().toNanos() * (update.waiting() + 1L);
        return queued >= BUSY.toNanos() && streamStartFree();
    }

    /**
     * Whether a reply starting now may stream natively without its first message queueing behind other replies'
     * stream starts: {@code chat.startStream} is Tier 2 (20 a minute for the workspace), so of many replies starting
     * at once only the first two get a start at once; the others would show nothing for seconds, the tenth for half a
     * minute. Takes one of those starts if it is free; a reply that gets none posts and edits its message instead,
     * its first message on the channel's post budget. The allowance follows {@code chat.startStream}'s rate, with a
     * burst of two (the budget's paced start and the one it keeps for a reply's first sign), divided among the nodes.
     */
    private boolean streamStartFree() {
        SwitchboardConfig.RateLimit start = config.streamBudgets().start();
        return budgets.computeIfAbsent("slack " + workspace + " stream choices",
                n -> shares.split(new Budget(n, start.messages(), start.per(), 2, ticker))).tryTake();
    }

    /**
     * {@code assistant.threads.setStatus} a minute for the workspace, of Slack's 100, with a small burst. Far enough
     * below so that several nodes stay inside Slack's minute while their shares catch up: a node that starts writing
     * spends a whole share until the others see it at their next heartbeat.
     */
    static final int STATUS_PER_MINUTE = 70;
    static final int STATUS_BURST = 5;

    /**
     * The workspace's allowance for {@code assistant.threads.setStatus} ({@link #STATUS_PER_MINUTE}), which nothing an
     * answer needs spends from; bursts, as many replies start at once.
     */
    private Budget statusAllowance() {
        return budgets.computeIfAbsent("slack " + workspace + " assistant.threads.setStatus",
                n -> shares.split(new Budget(n, STATUS_PER_MINUTE, Duration.ofMinutes(1), STATUS_BURST, ticker)));
    }

    /** The workspace's allowance for suggested prompts and thread titles (assistant.threads.*, Tier 4). */
    Budget assistantAllowance(String team) {
        return budgets.computeIfAbsent("slack " + team + " assistant.threads",
                n -> shares.split(new Budget(n, 80, Duration.ofMinutes(1), 10, ticker)));
    }

    /**
     * The channel's {@code chat.postMessage} budget, which replies and {@code /ask} questions share. Not divided among
     * the nodes (a thread is answered by one node; threads of one channel on several nodes are rare and short), but
     * a 429 pauses it on every node.
     */
    Budget posts(String channel) {
        return budget("slack " + channel + " chat.postMessage", config.postBudget(), shares::pausedTogether);
    }

    /** A budget Slack counts per workspace: each node of a cluster spends its share. */
    private Budget workspace(String name, SwitchboardConfig.RateLimit limit) {
        return budget(name, limit, shares::split);
    }

    /**
     * A budget of {@code limit}, its window taken 2 % longer than Slack's: Slack counts over a sliding window, and two
     * writes paced exactly a window apart arrive closer together whenever the network delays the first more than the
     * second, which a full budget would answer with a 429.
     */
    private Budget budget(String name, SwitchboardConfig.RateLimit limit,
                          java.util.function.UnaryOperator<Budget> shared) {
        Duration window = limit.per().plus(limit.per().dividedBy(50));
        return budgets.computeIfAbsent(name, n -> shared.apply(new Budget(n, limit.messages(), window, ticker)));
    }

    private void historyPermit() {
        try {
            historyLimit.asBlocking().consume(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to read a thread's history", e);
        }
    }
}
