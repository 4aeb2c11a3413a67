package dev.switchboard.live;

import dev.switchboard.live.ReplyMessages.Write;
import dev.switchboard.routing.Failure;
import dev.switchboard.routing.ReplyHandle;
import dev.switchboard.routing.ReplyListener;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.Target;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reply being shown by the {@link LiveReplies} engine. Feed it the router's events: it is the
 * {@link ReplyListener} of the reply. Its place in the engine's index (urgency, how long its text waited, the budgets
 * its next write spends) and its write in flight are kept here; what its messages show is kept in
 * {@link ReplyMessages}. Thread-safe: all state is guarded by the engine.
 */
public final class Live implements ReplyListener {

    private static final Logger log = LoggerFactory.getLogger(LiveReplies.class);
    private static final int EDIT_FAILURES_BEFORE_MOVING_ON = 3;

    private final LiveReplies engine;
    private final ReplySink sink;
    private final Spending spending;
    /** The budgets its next write spends, as far as known; its budgets in the index. */
    List<Budget> spends;
    /** The budgets the write in flight spent. */
    private List<Budget> sentSpends = List.of();
    private final Function<ReplyOutcome, String> footer;
    final ReplyMessages messages;
    private final CompletableFuture<List<String>> settled = new CompletableFuture<>();
    private String storedText = "";
    final long seq;
    long visited;
    boolean inFlight;
    /** When the oldest text not yet seen arrived; 0 when everything is seen or on its way. Its key in the index. */
    long unseenSince;
    /**
     * What its next write is to its reader, and so what of the budgets it may spend; whether it is
     * {@linkplain Need#urgent urgent} is the first key in the index. Its placeholder (or first words) comes first.
     */
    Need need = Need.FIRST_SIGN;
    private long sentUnseenSince;
    private int editFailures;
    private int failuresInARow;
    private ReplyHandle upstream;
    /** The platform's client closed under a write (the service is stopping): nothing more is written. */
    private boolean clientClosed;

    Live(LiveReplies engine, ReplySink sink, Spending spending, Function<ReplyOutcome, String> footer, long now,
         long seq) {
        this.engine = engine;
        this.sink = sink;
        this.messages = new ReplyMessages(sink);
        this.spending = spending;
        this.spends = spending.of(Spending.Op.POST, null, null);
        this.footer = footer;
        this.unseenSince = now;
        this.seq = seq;
    }

    /** Moves this reply in the index: its text waits since {@code since} (0: nothing waits); urgency anew. */
    private void unseenSince(long since) {
        engine.waiting.remove(this);
        unseenSince = since;
        need = messages.ended() ? Need.FINAL_TEXT : messages.count() == 0 ? Need.FIRST_SIGN : Need.PACED;
        // Most writes edit the newest message; a pacing slot corrects the guess when it lays the text out.
        String edited = messages.editedNext();
        spends = edited != null ? spending.of(Spending.Op.EDIT, edited, null)
                : spending.of(Spending.Op.POST, null, null);
        if (since != 0 && !inFlight && !settled.isDone() && !clientClosed) {
            engine.waiting.add(this);
        }
    }

    /**
     * Puts this reply in the index under the budgets {@code write} spends, if they are not those it waited for.
     *
     * @return whether they changed
     */
    boolean respend(Write write) {
        List<Budget> actual = spending.of(write.op(),
                write.op() == Spending.Op.POST ? null : messages.id(write.index()), write.text());
        if (actual == spends || actual.equals(spends)) {
            return false;
        }
        boolean indexed = engine.waiting.remove(this);
        spends = actual;
        if (indexed) {
            engine.waiting.add(this);
        }
        return true;
    }

    /** Visited by a pacing slot with nothing to write: done, or out of the index until new text comes. */
    void nothingToWrite() {
        if (!messages.ended()) {
            unseenSince(0);
        }
        finishIfSettled();
    }

    /** The router's handle, so a deleted message can stop the reply. */
    public void attach(ReplyHandle handle) {
        synchronized (engine) {
            this.upstream = handle;
        }
    }

    /** Completes with the platform message ids once the final text is shown everywhere. */
    public CompletableFuture<List<String>> settled() {
        return settled;
    }

    @Override
    public void onToken(String text) {
        synchronized (engine) {
            messages.append(text);
            changed();
        }
    }

    /** The text to show changed: it waits to be seen from now, and is written when the budgets allow. */
    private void changed() {
        if (unseenSince != 0) {
            // Already waiting for a pacing slot: the pump that left it waiting scheduled one for it (or sooner),
            // and it writes its newest text then. Nothing to do per change.
            return;
        }
        unseenSince(engine.ticker.nanos());
        // A full pump only when this reply could write now; otherwise the scheduled wake-up serves it.
        if (!inFlight) {
            long now = engine.ticker.nanos();
            long wait = Budget.nanosUntilAllFree(spends, now, need);
            if (wait == 0) {
                engine.pump();
            } else {
                engine.wakeAt(now + wait);
            }
        }
    }

    /** A tool call's status line, written like any other change of the text (paced by the same budgets). */
    @Override
    public void onToolStatus(dev.switchboard.routing.ToolStatus status) {
        if (sink.showsToolStatus(status)) {
            return; // the platform shows it its own way (Slack's streaming task updates)
        }
        synchronized (engine) {
            messages.toolStatus(status);
            changed();
        }
    }

    @Override
    public CompletableFuture<Boolean> onApprovalNeeded(dev.switchboard.routing.ToolStatus call) {
        return sink.askApproval(call);
    }

    @Override
    public void onReset(Target failed, Failure why, Target next) {
        synchronized (engine) {
            messages.reset();
            unseenSince(engine.ticker.nanos());
            engine.pump();
        }
    }

    /**
     * The assistant turn to store once the reply ended: the text the user ends up seeing, in the model's
     * Markdown (the whole answer, or only the part shown before a cancel or a failure). Empty before the end.
     */
    public String storedText() {
        synchronized (engine) {
            return storedText;
        }
    }

    @Override
    public void onDone(ReplyOutcome outcome) {
        synchronized (engine) {
            storedText = outcome instanceof ReplyOutcome.Completed c ? c.text() : messages.source();
            messages.end(FinalText.of(outcome, messages.source(), sink, footer));
            if (!inFlight && messages.nextWrite() == null) {
                finishIfSettled(); // shown already: nothing to wait for
                return;
            }
            unseenSince(unseenSince == 0 ? engine.ticker.nanos() : unseenSince); // urgent from now on
            engine.pump();
        }
    }

    private void finishIfSettled() {
        if (messages.ended() && !inFlight && messages.nextWrite() == null && !settled.isDone()) {
            engine.waiting.remove(this);
            settled.complete(messages.ids());
        }
    }

    void send(Write write) {
        // This write shows everything seen so far; only text arriving from now on is unseen.
        sentUnseenSince = unseenSince;
        sentSpends = spends;
        unseenSince(0);
        inFlight = true;
        CompletionStage<?> call;
        try {
            call = switch (write.op()) {
                case POST -> sink.post(write.text());
                case EDIT -> sink.edit(messages.id(write.index()), write.text());
                case DELETE -> sink.delete(messages.id(write.index()));
            };
        } catch (RuntimeException e) {
            // A sink that throws instead of failing its stage must not leave the reply waiting forever.
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((result, error) -> done(write, result, error));
    }

    private void done(Write write, Object result, Throwable error) {
        // The router calls this engine while holding its own locks: cancel it only after leaving ours.
        String stopping;
        try {
            stopping = doneLocked(write, result, error);
        } catch (RuntimeException e) {
            // Would otherwise vanish into the write's stage and leave the reply waiting forever: end it here.
            log.error("a reply's write could not be accounted for; ending the reply", e);
            synchronized (engine) {
                engine.waiting.remove(this);
                settled.completeExceptionally(e);
            }
            stopping = "the reply cannot be shown";
        }
        String stop = stopping;
        ReplyHandle handle;
        synchronized (engine) {
            handle = upstream;
        }
        if (stop != null && handle != null) {
            if (Thread.holdsLock(engine)) {
                // The write failed at once, inside the engine's lock: cancel from outside it.
                engine.ticker.schedule(Duration.ZERO, () -> handle.cancel(stop));
            } else {
                handle.cancel(stop);
            }
        }
    }

    /**
     * Whether a write failed because the platform's client is closing: its executor refuses it or interrupts it.
     * (Not {@link java.io.InterruptedIOException}: a socket's timeout is one, and is tried again.)
     */
    private static boolean closedUnder(Throwable cause) {
        return cause instanceof java.util.concurrent.RejectedExecutionException
                || cause instanceof InterruptedException;
    }

    /** A write went through: the messages now show its text. Called with the engine's lock held. */
    private void shown(Write write, Object result) {
        editFailures = 0;
        failuresInARow = 0;
        messages.shown(write, result);
        if (unseenSince == 0 && messages.nextWrite() != null) {
            unseenSince(engine.ticker.nanos()); // the final text or a reset came without tokens
        } else if (write.op() == Spending.Op.POST && messages.count() == 1) {
            unseenSince(unseenSince); // its first sign is seen: no longer urgent
        }
    }

    /** @return why the upstream reply must stop, or null */
    private String doneLocked(Write write, Object result, Throwable error) {
        synchronized (engine) {
            inFlight = false;
            if (error != null) {
                // Not shown after all: the text waits since whenever it first did.
                unseenSince(unseenSince == 0 ? sentUnseenSince : Math.min(unseenSince, sentUnseenSince));
            } else {
                unseenSince(unseenSince); // back in the index if text came while the write was on its way
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause == null) {
                shown(write, result);
            } else if (closedUnder(cause)) {
                // A post whose answer never came may have shown: trying again could put a second message beside
                // it. The next start continues that one (its "posted but not noted" look-up) or answers anew.
                log.info("the platform's client closed under a reply's write; the service is stopping, so it is not"
                        + " tried again: {}", cause.toString());
                clientClosed = true;
                engine.waiting.remove(this);
                return null;
            } else if (cause instanceof ReplySink.WriteFailed failed
                    && failed.kind() == ReplySink.WriteFailed.Kind.RATE_LIMITED) {
                sentSpends.forEach(b -> b.pause(failed.retryAfter()));
            } else if (cause instanceof ReplySink.WriteFailed failed
                    && failed.kind() == ReplySink.WriteFailed.Kind.GONE) {
                log.info("a reply's message was deleted; stopping the reply");
                engine.waiting.remove(this);
                settled.complete(messages.ids());
                return "the message was deleted";
            } else if (++failuresInARow > 5 * EDIT_FAILURES_BEFORE_MOVING_ON) {
                log.error("a reply could not be written after {} tries; giving up: {}", failuresInARow,
                        cause.toString());
                engine.waiting.remove(this);
                settled.completeExceptionally(cause);
                return "the reply cannot be shown";
            } else if (write.op() == Spending.Op.EDIT && ++editFailures >= EDIT_FAILURES_BEFORE_MOVING_ON) {
                messages.freeze(write.index()); // continue after what it shows
                editFailures = 0;
                log.warn("edits of a reply message keep failing; continuing in a new message: {}",
                        cause.toString());
            } else if (write.op() == Spending.Op.POST) {
                log.warn("posting a reply message failed; trying again: {}", cause.toString());
            }
            if (unseenSince == 0) {
                finishIfSettled();
            }
            engine.pump();
            return null;
        }
    }
}
