package dev.switchboard.adapter.slack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.slack.api.model.Message;
import dev.switchboard.answering.Admission;
import dev.switchboard.answering.Conversations;
import dev.switchboard.answering.Inbound;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.json.Json;
import dev.switchboard.live.ReplySurface;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /ask} made durable: the command is stored (under its own id, Slack's trigger id) before Slack gets its
 * acknowledgement, and the note is dropped only once the question is posted and stored in its thread. Slack never
 * retries a slash command, so a process that stops in between leaves the note, and the next start finishes the
 * command once. The question is posted with the command's id in its message metadata ({@link #marker}): a process
 * that stopped after Slack took the post but before the note said so leaves a question the next start finds in the
 * channel's history and answers, instead of posting it again. Thread-safe.
 */
final class SlackAsks {

    private static final Logger log = LoggerFactory.getLogger(SlackAsks.class);
    private static final String PREFIX = "ask:";
    /** The metadata event type of a posted {@code /ask} question. */
    static final String ASKED = "switchboard_ask";
    /** How much earlier than our clock Slack's may stamp the post: where the search of the channel begins. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    /**
     * An {@code /ask} taken.
     *
     * @param id Slack's trigger id of the command
     * @param ts the posted question's ts; null until it is posted
     * @param models the models a {@code /compare} asks side by side; null or empty for an ordinary {@code /ask}
     */
    record Pending(String id, String team, String channel, String user, String question, Instant at, String ts,
                   List<String> models) {
        Pending withTs(String posted) {
            return new Pending(id, team, channel, user, question, at, posted, models);
        }
    }

    /** Posts the question; returns its ts. */
    interface Poster extends Function<Pending, String> { }

    private final Conversations<ReplySurface> conversations;
    private final Conversations.Policy policy;
    private final SlackApi api;
    private final SlackReplies replies;
    private final Clock clock;
    private final ConversationKey notes;
    private final SlackChannelNotes channelNotes;
    private volatile boolean stopping;

    SlackAsks(Conversations<ReplySurface> conversations, Conversations.Policy policy, SlackApi api,
              SlackReplies replies, Clock clock, String team, SlackChannelNotes channelNotes) {
        this.channelNotes = channelNotes;
        this.conversations = conversations;
        this.policy = policy;
        this.api = api;
        this.replies = replies;
        this.clock = clock;
        // One conversation holds every pending command of the workspace: a restart reads one record.
        this.notes = SlackPlaces.key(team, SlackPlaces.CHANNEL_SCOPE, "pending-asks");
    }

    Pending take(String id, String team, String channel, String user, String question, List<String> models) {
        Pending p = new Pending(id, team, channel, user, question, clock.instant(), null, models);
        write(p);
        return p;
    }

    /** No more posting: a command in the middle of it stays noted for the next start. */
    void stop() {
        stopping = true;
    }

    /**
     * Posts the question unless it was, stores it in its thread, then drops the note.
     *
     * @param tell answers the user privately
     */
    void finish(Pending p, Poster poster, Consumer<String> tell) {
        Pending posted = p;
        if (p.ts() == null) {
            String ts;
            try {
                ts = poster.apply(p);
            } catch (RuntimeException e) {
                if (stopping) {
                    return; // the next start posts it
                }
                drop(p);
                tell.accept(SlackCommands.whyNotPosted(p.channel(), SlackApi.error(e)));
                return;
            }
            posted = p.withTs(ts);
            try {
                write(posted); // a restart from here on does not post it again
            } catch (RuntimeException e) {
                log.warn("slack: a posted /ask could not be noted as posted ({}); going on", e.toString());
            }
        }
        Inbound inbound = new Inbound(SlackPlaces.key(p.team(), p.channel(), posted.ts()), posted.ts(), p.user(),
                api.displayName(p.user()), p.question(), SlackApi.instant(posted.ts()), api.channelName(p.channel()));
        try {
            String ts = posted.ts();
            java.util.function.Supplier<SlackThread> thread = () -> replies.thread(p.team(), p.channel(), ts, ts,
                    p.user(), SlackPlaces.isDm(p.channel()));
            Admission admission = conversations.submit(inbound, p.models() == null || p.models().isEmpty()
                    ? thread.get() : new SlackComparison(p.models(), policy.botId(), thread), policy);
            drop(p);
            if (admission instanceof Admission.Refused refused) {
                tell.accept(refused.userMessage());
            } else if (admission instanceof Admission.Accepted) {
                channelNotes.keep(inbound.key());
            }
        } catch (RuntimeException e) {
            log.error("slack: /ask could not be stored", e);
            tell.accept("I couldn't take your question just now (storage failed). Please ask again.");
        }
    }

    /** The message metadata that marks the question of command {@code id}: Slack keeps it with the message. */
    static Message.Metadata marker(String id) {
        return Message.Metadata.builder().eventType(ASKED).eventPayload(Map.of("ask_id", id)).build();
    }

    /**
     * Finishes the commands a stopped process took but did not finish; older than {@code window} are dropped. A
     * question not noted as posted is looked for in its channel first: the stop may have come after Slack took it.
     */
    void resume(Poster poster, Duration window) {
        for (Map.Entry<String, String> note : conversations.notes(notes).entrySet()) {
            if (!note.getKey().startsWith(PREFIX)) {
                continue;
            }
            Pending p = read(note.getValue());
            if (p == null || p.at().isBefore(clock.instant().minus(window))) {
                conversations.note(notes, note.getKey(), null);
                continue;
            }
            log.info("slack: finishing an /ask taken before the service stopped, in {}", p.channel());
            finish(p.ts() == null ? postedBefore(p) : p, poster,
                    text -> log.info("slack: a resumed /ask could not be finished: {}", text));
        }
    }

    /** The command with its question's ts when the channel shows it posted already, else as it was. */
    private Pending postedBefore(Pending p) {
        try {
            Optional<String> ts = api.findPosted(p.channel(), p.at().minus(CLOCK_SKEW), marker(p.id()));
            ts.ifPresent(posted -> log.info("slack: the question of an /ask in {} was posted before the stop;"
                    + " answering it there", p.channel()));
            return ts.map(p::withTs).orElse(p);
        } catch (RuntimeException e) {
            // Without the channel's history (a missing *:history scope, a rate limit) the question may show twice.
            log.warn("slack: could not look for an /ask's question in {} ({}); posting it", p.channel(),
                    SlackApi.error(e));
            return p;
        }
    }

    private void write(Pending p) {
        try {
            conversations.note(notes, PREFIX + p.id(), Json.documents().writeValueAsString(p));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an /ask could not be written as JSON", e);
        }
    }

    private void drop(Pending p) {
        try {
            conversations.note(notes, PREFIX + p.id(), null);
        } catch (RuntimeException e) {
            log.warn("slack: a finished /ask is still noted ({}); the next start finds it done", e.toString());
        }
    }

    private static Pending read(String json) {
        try {
            return Json.documents().readValue(json, Pending.class);
        } catch (JsonProcessingException e) {
            log.warn("slack: a noted /ask could not be read; dropped");
            return null;
        }
    }
}
