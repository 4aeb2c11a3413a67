package dev.switchboard.answering;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens before a reply starts in a thread shared with other processes: its message settles (see
 * {@link Settling}), the thread's lease is confirmed, and the thread's earlier stored messages that nobody answered
 * yet go first, in the platform's order. A process alone ({@link ThreadLeases#SOLE}) passes straight through.
 * Thread-safe.
 */
final class SharedThreads {

    private static final Logger log = LoggerFactory.getLogger(SharedThreads.class);

    /** What a thread's queue does for this: the moves it makes under its own lock. */
    interface Queue<S> {

        /** Another process holds the thread now: the job and the ones queued behind it stay stored for it. */
        void leave(Job<S> job);

        /**
         * The job, running, goes back to the queue behind {@code earlier} (oldest first): those queued here move in
         * front of it, and later arrivals queue before it until {@link #resumed}.
         *
         * @return the earlier messages not queued here, oldest first
         */
        List<Turn> putBehind(Job<S> job, List<Turn> earlier);

        /** The earlier messages were taken up: the queue goes on. */
        void resumed();
    }

    private volatile ThreadLeases leases = ThreadLeases.SOLE;
    /** Where a reply in a shared thread waits for its message to settle; null: it never waits. */
    private volatile Settling settling;
    private volatile Consumer<Conversations.Unanswered> resume = left -> { };

    ThreadLeases leases() {
        return leases;
    }

    void leaseWith(ThreadLeases leases) {
        this.leases = Objects.requireNonNull(leases, "leases");
    }

    void settleWith(Settling settling) {
        this.settling = settling;
    }

    /** How a stored message this process did not receive is submitted again (its platform's leftover path). */
    void resumeWith(Consumer<Conversations.Unanswered> resume) {
        this.resume = resume;
    }

    /**
     * The first time the job's reply would start in a shared thread: whether it waits for its message to settle
     * first. Then {@code again} runs after the wait, on the scheduler's thread (it should hand the work on).
     */
    boolean waits(Job<?> job, Runnable again) {
        Settling waits = settling;
        ThreadLeases shared = leases;
        if (job.settled || waits == null || !shared.shared()) {
            return false;
        }
        job.settled = true;
        Duration left = waits.left(job.message, shared.settle());
        if (left.isZero()) {
            return false;
        }
        try {
            waits.after(left, again);
        } catch (RejectedExecutionException e) {
            return false; // the scheduler is closing: no wait
        }
        return true;
    }

    /**
     * Before the job's reply starts, on its worker: the lease is confirmed (the job and the ones queued behind it are
     * left to the process holding it now, if another does), and the thread's earlier stored messages without an
     * answer (another process stored them; their signal is late or lost) are answered first: the job goes back
     * behind them.
     *
     * @return whether the job's reply starts now
     */
    <S> boolean ready(Queue<S> queue, Job<S> job) {
        ThreadLeases shared = leases;
        if (!shared.shared()) {
            return true;
        }
        ConversationKey key = job.message.key();
        Optional<ThreadLeases.Held> held;
        try {
            held = shared.confirm(key);
        } catch (RuntimeException e) {
            log.warn("could not confirm the lease on {} ({}); its messages stay stored for the poll", key,
                    e.toString());
            held = Optional.empty();
        }
        if (held.isEmpty()) {
            queue.leave(job);
            return false;
        }
        job.held = held.get();
        if (job.ordered) {
            return true;
        }
        job.ordered = true;
        List<Turn> earlier = earlier(shared, key, job.message.messageId());
        if (earlier.isEmpty()) {
            return true;
        }
        List<Turn> missing = queue.putBehind(job, earlier);
        log.info("answering {} earlier message(s) in {} first", earlier.size(), key);
        try {
            missing.forEach(turn -> resume.accept(new Conversations.Unanswered(key, turn)));
        } catch (RuntimeException e) {
            log.warn("could not take up an earlier message in {} ({}); the poll will", key, e.toString());
        } finally {
            queue.resumed();
        }
        return false;
    }

    /**
     * The thread's stored messages without an answer before {@code messageId}, oldest first in the platform's order
     * (when they were written; equal times keep their stored order), as the prompt orders them.
     */
    private static List<Turn> earlier(ThreadLeases shared, ConversationKey key, String messageId) {
        List<Turn> unanswered;
        try {
            unanswered = new ArrayList<>(shared.unanswered(key));
            unanswered.sort(Comparator.comparing(Turn::at));
        } catch (RuntimeException e) {
            log.warn("could not look for earlier messages in {} ({}); answering in the order taken", key,
                    e.toString());
            return List.of();
        }
        for (int i = 0; i < unanswered.size(); i++) {
            if (unanswered.get(i).messageIds().getFirst().equals(messageId)) {
                return unanswered.subList(0, i);
            }
        }
        return List.of();
    }
}
