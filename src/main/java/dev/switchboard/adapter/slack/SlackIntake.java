package dev.switchboard.adapter.slack;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.slack.api.bolt.App;
import com.slack.api.model.event.AppMentionEvent;
import com.slack.api.model.event.MessageBotEvent;
import com.slack.api.model.event.MessageChangedEvent;
import com.slack.api.model.event.MessageChannelJoinEvent;
import com.slack.api.model.event.MessageChannelLeaveEvent;
import com.slack.api.model.event.MessageDeletedEvent;
import com.slack.api.model.event.MessageEvent;
import com.slack.api.model.event.MessageFileShareEvent;
import com.slack.api.model.event.MessageThreadBroadcastEvent;
import dev.switchboard.answering.Admission;
import dev.switchboard.answering.Conversations;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.answering.Inbound;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.ConversationKey;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's message events into conversations: each message the rules ({@link SlackRules}) say is for the bot is
 * stored before Slack gets its acknowledgement, so a retry, a second event for the same message or a restart never
 * produces a second reply. A deleted question stops its reply. Thread-safe.
 */
final class SlackIntake {

    private static final Logger log = LoggerFactory.getLogger(SlackIntake.class);
    /** How far back a message left unanswered by a stop is still answered at start. */
    static final Duration LEFTOVER_WINDOW = Duration.ofHours(1);

    private final SwitchboardConfig.Slack config;
    private final Conversations<ReplySurface> conversations;
    private final Conversations.Policy policy;
    private final SlackApi api;
    private final SlackReplies replies;
    private final String botUser;
    private final String team;
    private final SlackChannelNotes channelNotes;
    private final SlackAgent agent;
    private volatile SlackFiles files;
    /** Notes already given per message: Slack sends a mention twice (message and app_mention), one note is enough. */
    private final Cache<String, Boolean> hinted = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(10)).build();

    SlackIntake(SwitchboardConfig.Slack config, Conversations<ReplySurface> conversations, Conversations.Policy policy,
                SlackApi api, SlackReplies replies, String botUser, String team, SlackChannelNotes channelNotes,
                SlackAgent agent) {
        this.channelNotes = channelNotes;
        this.agent = agent;
        this.config = config;
        this.conversations = conversations;
        this.policy = policy;
        this.api = api;
        this.replies = replies;
        this.botUser = botUser;
        this.team = team;
    }

    /** Reads the files that come with messages; without it they are ignored. */
    SlackIntake files(SlackFiles reader) {
        this.files = reader;
        return this;
    }

    void register(App app) {
        app.event(AppMentionEvent.class, (req, ctx) -> {
            AppMentionEvent e = req.getEvent();
            onMessage(new SlackRules.Said(teamOf(req.getTeamId(), e.getTeam()), e.getChannel(), null, e.getUser(),
                    e.getBotId(), e.getText(), e.getTs(), e.getThreadTs(), true), e.getFiles());
            return ctx.ack();
        });
        app.event(MessageEvent.class, (req, ctx) -> {
            MessageEvent e = req.getEvent();
            onMessage(new SlackRules.Said(teamOf(req.getTeamId(), e.getTeam()), e.getChannel(), e.getChannelType(),
                    e.getUser(), e.getBotId(), e.getText(), e.getTs(), e.getThreadTs(), false), e.getFiles());
            return ctx.ack();
        });
        app.event(MessageThreadBroadcastEvent.class, (req, ctx) -> {
            MessageThreadBroadcastEvent e = req.getEvent();
            onMessage(new SlackRules.Said(teamOf(req.getTeamId(), null), e.getChannel(), e.getChannelType(),
                    e.getUser(), null, e.getText(), e.getTs(), e.getThreadTs(), false));
            return ctx.ack();
        });
        app.event(MessageFileShareEvent.class, (req, ctx) -> {
            MessageFileShareEvent e = req.getEvent();
            onMessage(new SlackRules.Said(teamOf(req.getTeamId(), null), e.getChannel(), e.getChannelType(),
                    e.getUser(), null, e.getText(), e.getTs(), e.getThreadTs(), false), e.getFiles());
            return ctx.ack();
        });
        app.event(MessageDeletedEvent.class, (req, ctx) -> {
            onDeleted(teamOf(req.getTeamId(), null), req.getEvent());
            return ctx.ack();
        });
        // Edits, joins and bot messages are acknowledged and otherwise ignored.
        app.event(MessageChangedEvent.class, (req, ctx) -> ctx.ack());
        app.event(MessageBotEvent.class, (req, ctx) -> ctx.ack());
        app.event(MessageChannelJoinEvent.class, (req, ctx) -> ctx.ack());
        app.event(MessageChannelLeaveEvent.class, (req, ctx) -> ctx.ack());
    }

    private String teamOf(String fromPayload, String fromEvent) {
        return SlackRules.teamOf(fromPayload, fromEvent, team);
    }

    private void onMessage(SlackRules.Said m) {
        onMessage(m, null);
    }

    private void onMessage(SlackRules.Said m, java.util.List<com.slack.api.model.File> shared) {
        java.util.List<dev.switchboard.answering.IncomingFile> attached = files == null ? java.util.List.of()
                : files.of(shared);
        SlackRules.Decision decision = SlackRules.decide(m, botUser, config.followThreads(), config.access(),
                threadTs -> follows(m, threadTs), agent.enabled(), !attached.isEmpty());
        switch (decision) {
            case SlackRules.Decision.Ignore ignore -> { }
            case SlackRules.Decision.Deny deny -> {
                if (deny.tell() && firstNote("deny:" + m.ts())) {
                    api.ephemeral(m.channel(), m.user(), "I'm not set up to answer here.");
                }
            }
            case SlackRules.Decision.Hint hint -> {
                if (firstNote(m.ts())) {
                    api.ephemeral(m.channel(), m.user(), "Ask me something: mention me with a question, or use"
                            + " `/ask`.");
                }
            }
            case SlackRules.Decision.Answer answer -> take(m, answer, attached);
        }
    }

    private void take(SlackRules.Said m, SlackRules.Decision.Answer answer,
                      java.util.List<dev.switchboard.answering.IncomingFile> attached) {
        ConversationKey key = SlackPlaces.key(m.team(), m.channel(), answer.thread());
        Inbound inbound = new Inbound(key, m.ts(), m.user(), api.knownName(m.user()), answer.question(),
                SlackApi.instant(m.ts()), api.channelName(m.channel()), attached);
        boolean newThread = answer.dm() && agent.enabled() && (m.threadTs() == null
                || conversations.startedAt(key).isEmpty());
        Admission admission = conversations.submit(inbound, agent.thread(replies.thread(m.team(), m.channel(),
                answer.replyIn(), m.ts(), m.user(), answer.dm()), key, m.team(), m.user(), answer.question(),
                answer.dm()), policy);
        if (admission instanceof Admission.Accepted) {
            channelNotes.keep(key);
            if (answer.dm()) {
                agent.taken(key, m.team(), m.user(), m.channel(), answer.replyIn(), answer.question(), newThread);
            }
        }
        // Slack sends a mention twice (message and app_mention): one note, in the thread it was written in.
        if (admission instanceof Admission.Refused refused && firstNote("refused:" + m.ts())) {
            api.ephemeral(m.channel(), m.user(), refused.userMessage(), m.threadTs());
        }
    }

    /**
     * Whether the bot took part in the thread when the message was written: a message older than the thread's first
     * stored one is not a follow-up, even when it arrives after the mention that joined the bot to the thread (Slack
     * may deliver it late, and over HTTP in any order). The reply to the mention read it from Slack already.
     */
    private boolean follows(SlackRules.Said m, String threadTs) {
        return conversations.startedAt(SlackPlaces.key(m.team(), m.channel(), threadTs))
                .filter(started -> !SlackApi.instant(m.ts()).isBefore(started)).isPresent();
    }

    private boolean firstNote(String id) {
        return hinted.asMap().putIfAbsent(id, true) == null;
    }

    private void onDeleted(String teamId, MessageDeletedEvent e) {
        String deleted = e.getDeletedTs();
        if (deleted == null || e.getChannel() == null) {
            return;
        }
        String threadTs = e.getPreviousMessage() == null ? null : e.getPreviousMessage().getThreadTs();
        boolean dm = "im".equals(e.getChannelType()) || SlackPlaces.isDm(e.getChannel());
        String thread = threadTs != null ? threadTs : dm && !agent.enabled() ? SlackPlaces.DM_THREAD : deleted;
        if (conversations.cancel(SlackPlaces.key(teamId, e.getChannel(), thread), deleted,
                "the question was deleted")) {
            log.info("slack: a question was deleted; its reply was stopped");
        }
    }

    /**
     * Answers messages stored but never answered: the process stopped between acknowledging and answering them,
     * and Slack, having its acknowledgement, will not send them again.
     */
    void answerLeftovers() {
        // Also how another node's leftovers reach this one, when several nodes answer as one bot.
        conversations.resumeWith(SlackPlaces.PLATFORM, this::resume);
        for (Conversations.Unanswered left : conversations.unanswered(SlackPlaces.PLATFORM, LEFTOVER_WINDOW)) {
            resume(left);
        }
    }

    /** Answers one stored message that has no answer, continuing in the messages an interrupted reply showed. */
    private void resume(Conversations.Unanswered left) {
        ConversationKey key = left.key();
        String ts = left.message().messageIds().getFirst();
        String replyIn = SlackPlaces.DM_THREAD.equals(key.thread()) ? null : key.thread();
        Inbound inbound = new Inbound(key, ts, left.message().authorId(), left.message().authorName(),
                left.message().text(), left.message().at(), api.channelName(key.channel()));
        try {
            conversations.submit(inbound, replies.thread(key.workspace(), key.channel(), replyIn, ts,
                    left.message().authorId(), SlackPlaces.isDm(key.channel())), policy);
            log.info("slack: answering a message left unanswered when the service stopped, in {}", key);
        } catch (RuntimeException e) {
            log.warn("slack: could not resume an unanswered message in {}: {}", key, e.toString());
        }
    }
}
