package dev.switchboard.answering;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.SeenMessages;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.TurnRejectedException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides on a message: a duplicate of one already taken, one stored but never answered (answered now), or a new one,
 * which the user's rate limit lets in and the store keeps before it is queued. Runs under its thread's lock.
 */
final class Intake<S> {

    private static final Logger log = LoggerFactory.getLogger(Intake.class);

    private final ConversationStore store;
    private final UserRateLimits limits;
    private final ThreadQueues<S> queues;
    private final java.time.Clock clock;
    private final IngestLag lag;

    Intake(ConversationStore store, UserRateLimits limits, ThreadQueues<S> queues, java.time.Clock clock,
           IngestLag lag) {
        this.store = store;
        this.limits = limits;
        this.queues = queues;
        this.clock = clock;
        this.lag = lag;
    }

    Admission admit(ThreadQueues<S>.Lane lane, Inbound message, ChatThread<S> thread, Conversations.Policy policy) {
        // A node of several that is stopping still stores what reaches it, for the other nodes to answer.
        boolean handingOver = queues.closed() && queues.leases() != ThreadLeases.SOLE;
        if (queues.closed() && !handingOver) {
            return new Admission.Refused("I'm restarting right now; please ask again in a minute.");
        }
        if (lane.holds(message.messageId())) {
            return new Admission.Duplicate();
        }
        Optional<Conversation> stored = store.load(message.key());
        SeenMessages.Seen seen = store.seen(message.key(), message.messageId());
        if (seen != SeenMessages.Seen.NEW) {
            if (seen == SeenMessages.Seen.ANSWERED) {
                return new Admission.Duplicate();
            }
            // Stored but never answered: the process stopped while answering it. Answer it now.
            log.info("answering a stored message that has no reply yet in {}", message.key());
        } else {
            Optional<Admission> refused = take(message, stored, policy);
            if (refused.isPresent()) {
                return refused.get();
            }
        }
        boolean fresh = !lane.leased;
        if (handingOver || fresh && !queues.leases().acquire(message.key())) {
            // Another live process answers this thread: the message is stored, and it answers it in its turn.
            log.debug("a message in {} is left for the process answering the thread", message.key());
            return seen == SeenMessages.Seen.NEW ? new Admission.Accepted(0) : new Admission.Duplicate();
        }
        if (fresh && seen == SeenMessages.Seen.UNANSWERED && queues.leases() != ThreadLeases.SOLE
                && store.seen(message.key(), message.messageId()) == SeenMessages.Seen.ANSWERED) {
            // The node that held the thread answered it between our look and our lease: nothing left to do here.
            queues.leases().release(message.key());
            return new Admission.Duplicate();
        }
        lane.leased = true;
        // Stored before and not answered: whoever took it then may have shown part of its reply, unless it reached
        // the store while this process held the thread (then no one can have started it).
        boolean interrupted = seen == SeenMessages.Seen.UNANSWERED && !queues.leases().heldSince(message.key())
                .map(message.at()::isAfter).orElse(false);
        int ahead = lane.enqueue(new Job<>(message, thread, policy, stored.isEmpty(), interrupted));
        return new Admission.Accepted(ahead);
    }

    /**
     * Spends the user's allowance and stores the message, with its channel's name when the conversation does not
     * carry that name yet (in the same write). @return a refusal, or empty when it is stored
     */
    private Optional<Admission> take(Inbound message, Optional<Conversation> stored, Conversations.Policy policy) {
        Duration wait = limits.take(message, policy.userRateLimit());
        if (!wait.isZero()) {
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            return Optional.of(new Admission.Refused("You're sending messages faster than I can answer them. Please"
                    + " try again in about " + seconds + (seconds == 1 ? " second." : " seconds.")));
        }
        try {
            // Its files are only announced here: they are read after the platform has its acknowledgement.
            Turn turn = Turn.user(message.authorId(), message.authorName(), message.text(), message.at(),
                    List.of(message.messageId()), MessageFiles.announced(message.files()));
            String note = message.channelNote();
            if (!note.isEmpty() && !note.equals(stored.map(c -> c.metadata().get(ChannelNotes.NOTE)).orElse(null))) {
                store.appendNoted(message.key(), turn, ChannelNotes.NOTE, note);
            } else {
                store.append(message.key(), turn);
            }
        } catch (TurnRejectedException e) {
            return Optional.of(new Admission.Refused("I can't take that message: " + e.getMessage() + "."));
        } catch (RuntimeException e) {
            limits.refund(message); // not taken: the platform's retry must not find the user's allowance spent
            throw e;
        }
        lag.record(Duration.between(message.at(), clock.instant()));
        return Optional.empty();
    }
}
