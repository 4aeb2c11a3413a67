package dev.switchboard.answering;

import dev.switchboard.answering.ReplyStarter.StartedReply;
import java.util.concurrent.CompletableFuture;

/**
 * One message waiting for or getting its reply. A cancel that comes before the reply started is kept and applied
 * when it starts. Thread-safe.
 *
 * @param <S> where the platform shows the reply
 */
final class Job<S> {

    final Inbound message;
    final ChatThread<S> thread;
    final Conversations.Policy policy;
    /** The store held nothing for the thread: its earlier messages are read from the platform first. */
    final boolean rebuild;
    /**
     * Its message was stored earlier and left unanswered by a try that may have shown messages it never noted (a
     * process that stopped mid-reply): the platform is asked for them before the reply starts.
     */
    final boolean interrupted;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** The lease the reply is written under; set before it starts (the sole process's when not shared). */
    volatile ThreadLeases.Held held = ThreadLeases.SOLE_HELD;
    /** The thread's earlier stored messages were looked for before this one (shared threads). */
    boolean ordered;
    /** Its message was given time to settle before its reply (shared threads; see {@link Settling}). */
    volatile boolean settled;
    /** Its answer was refused: another process took the thread over meanwhile. */
    volatile boolean leaseLost;
    private StartedReply reply;
    private String cancelled;

    Job(Inbound message, ChatThread<S> thread, Conversations.Policy policy, boolean rebuild, boolean interrupted) {
        this.message = message;
        this.thread = thread;
        this.policy = policy;
        this.rebuild = rebuild;
        this.interrupted = interrupted;
    }

    boolean answers(String messageId) {
        return message.messageId().equals(messageId);
    }

    synchronized void started(StartedReply started) {
        this.reply = started;
        if (cancelled != null) {
            started.cancel(cancelled);
        }
    }

    /** Why the job was stopped before its reply started; null when it was not (or it already started). */
    synchronized String cancelledBeforeStart() {
        return reply == null ? cancelled : null;
    }

    synchronized void cancel(String reason) {
        if (reply != null) {
            reply.cancel(reason);
        } else if (cancelled == null) {
            cancelled = reason;
        }
    }
}
