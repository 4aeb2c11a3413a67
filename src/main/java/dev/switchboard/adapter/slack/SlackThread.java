package dev.switchboard.adapter.slack;

import com.slack.api.model.Message;
import dev.switchboard.answering.ChatThread;
import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.Turn;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.routing.ReplyOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** One Slack thread being answered: where the reply goes, its budgets, its history on Slack, its status line. */
final class SlackThread implements ChatThread<ReplySurface>, ReplySurface {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SlackThread.class);

    /** Message subtypes that carry a person's words. */
    private static final Set<String> SPOKEN = Set.of("thread_broadcast", "file_share", "me_message");

    private final SlackApi api;
    private final ReplySink sink;
    private final SlackSpending spending;
    private final String channel;
    private final String threadTs;
    private final String messageTs;
    private final String botUser;
    private final String botId;
    private final Runnable historyPermit;
    private final Status status;
    private final boolean feedback;

    /**
     * How this thread's status line is shown: the rotating loading messages (none: "is thinking…" alone) and the
     * allowance status calls spend, which no answer needs: a status that finds it empty is left out.
     */
    record Status(List<String> loadingMessages, Budget allowance) {
        Status {
            loadingMessages = List.copyOf(loadingMessages);
        }
    }

    /**
     * @param threadTs the Slack thread answered in; null for a direct message answered in the channel itself
     * @param messageTs the message being answered
     * @param historyPermit blocks until a conversations.replies call is within Slack's limit
     * @param feedback whether a finished answer gets the feedback buttons
     */
    SlackThread(SlackApi api, ReplySink sink, SlackSpending spending, String channel, String threadTs, String messageTs,
                String botUser, String botId, Runnable historyPermit, Status status, boolean feedback) {
        this.feedback = feedback;
        this.api = api;
        this.sink = sink;
        this.spending = spending;
        this.channel = channel;
        this.threadTs = threadTs;
        this.messageTs = messageTs;
        this.botUser = botUser;
        this.botId = botId;
        this.historyPermit = historyPermit;
        this.status = status;
    }

    @Override
    public ReplySurface surface() {
        return this;
    }

    @Override
    public ReplySink sink() {
        return sink;
    }

    @Override
    public List<Budget> budgets() {
        return spending.all();
    }

    @Override
    public dev.switchboard.live.Spending spending() {
        return spending;
    }

    /**
     * The messages Slack shows of the reply to this message (those carrying its {@linkplain SlackSink#marker marker}),
     * oldest first: an earlier process posted them and stopped before noting them. One read of the thread, or of the
     * channel for a direct message answered in the channel itself.
     *
     * @throws ReplySink.WriteFailed when Slack could not be asked
     */
    @Override
    public List<String> shownUnnoted() {
        return api.postedWith(channel, threadTs, SlackApi.instant(messageTs), SlackSink.marker(messageTs),
                threadTs == null ? () -> { } : historyPermit);
    }

    /** The thread as Slack has it, read once when the store does not know it (the bot joined mid-thread). */
    @Override
    public List<Turn> earlierTurns() {
        if (threadTs == null || threadTs.equals(messageTs)) {
            return List.of(); // a new thread: nothing came before
        }
        List<Turn> turns = new ArrayList<>();
        for (Message m : api.replies(channel, threadTs, historyPermit)) {
            if (m.getTs() == null || m.getText() == null || m.getText().isBlank() || m.getTs().equals(messageTs)
                    || m.getSubtype() != null && !SPOKEN.contains(m.getSubtype()) && !"bot_message"
                    .equals(m.getSubtype())) {
                continue;
            }
            boolean ours = botUser.equals(m.getUser()) || botId.equals(m.getBotId());
            if (ours) {
                turns.add(Turn.assistant(botUser, m.getText(), SlackApi.instant(m.getTs()), List.of(m.getTs()),
                        new AssistantMeta("", "", List.of(), null, null, null)));
            } else {
                String author = m.getUser() != null ? m.getUser() : m.getBotId() == null ? "" : m.getBotId();
                String name = m.getUser() != null ? api.displayName(m.getUser())
                        : m.getUsername() == null ? "" : m.getUsername();
                turns.add(Turn.user(author, name, SlackRules.withoutMention(m.getText(), botUser),
                        SlackApi.instant(m.getTs()), List.of(m.getTs())));
            }
        }
        return turns;
    }

    @Override
    public void working() {
        if (threadTs != null && status.allowance().tryTake()) {
            api.status(channel, threadTs, "is thinking…", status.loadingMessages());
        }
    }

    @Override
    public void finished(ReplyOutcome outcome, List<String> messageIds) {
        // A finished answer carries 👍 / 👎 on its last message (SlackFeedback); failures and cancels do not.
        String feedbackOn = feedback && outcome instanceof ReplyOutcome.Completed && !messageIds.isEmpty()
                ? messageIds.getLast() : null;
        if (sink instanceof SlackStreamSink stream) {
            // Its chat.stopStream calls, paced within the workspace's stopStream budget (finish waits out 429s).
            dev.switchboard.live.ExtraWrite.send(spending.stops(), () -> stream.finish(feedbackOn));
        } else if (feedbackOn != null && sink instanceof SlackSink classic) {
            // One more chat.update, paced within the workspace's chat.update budget like the reply's edits.
            // It gives way to the replies waiting for chat.update: their final texts go before these buttons.
            dev.switchboard.live.ExtraWrite.afterAnswers(spending.edits(), () -> classic.addFeedback(feedbackOn))
                    .exceptionally(e -> {
                        log.warn("slack: the feedback buttons could not be added: {}", SlackApi.error(e));
                        return null;
                    });
        }
        if (threadTs != null && status.allowance().tryTake()) {
            api.status(channel, threadTs, ""); // else Slack clears it itself with the reply, or after two minutes
        }
    }
}
