package dev.switchboard.live;

import dev.switchboard.routing.Failure;
import dev.switchboard.routing.ReplyHandle;
import dev.switchboard.routing.ReplyListener;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps platform messages in step with streaming replies, within each platform's write budgets.
 *
 * <p>Each reply has at most one write in flight, and that write carries its newest text: work never grows with the
 * token rate. Free budget goes to the reply whose text has waited longest to be seen, so one long reply cannot starve
 * the others. A reply longer than a message continues in new messages ({@link Splitter}); the last write of every
 * message carries its exact final text. A 429 pauses every budget the write belonged to for its Retry-After; a message
 * whose edits keep failing is left as it is and the rest of the reply continues in a new message. A reply's first
 * visible sign and its final text are urgent: they go before the others' progress and may spend the write each budget
 * holds back ({@link Budget#tryTakeUrgent}), so a finished reply shows complete at once, not at the next pacing slot.
 *
 * <p>A pacing slot works through the replies with text to show, in an index by urgency and how long it waited (no
 * sort), stops when a budget all of them share is busy, and lays a reply's text out only when a write of it may go.
 *
 * <p>Thread-safe: all state is guarded by this engine; platform answers and tokens may arrive on any thread.
 */
public final class LiveReplies {

    private static final Logger log = LoggerFactory.getLogger(LiveReplies.class);
    static final String THINKING = "_thinking…_";
    static final String CURSOR = " ▍";
    /** The reason a reply is cancelled with when the service stops before it could finish. */
    public static final String SHUTDOWN = "the service is stopping";
    private static final int EDIT_FAILURES_BEFORE_MOVING_ON = 3;
    /** The soonest a pump looks again after losing a write to a writer outside the engine. */
    private static final long MIN_WAKE_NANOS = 1_000_000;

    private final Ticker ticker;
    /** Replies not in flight whose text has not all been seen: urgent ones first, then oldest unseen text first. */
    private final WaitingReplies<Live> waiting = new WaitingReplies<>(
            Comparator.<Live>comparingInt(l -> l.urgent ? 0 : 1).thenComparingLong(l -> l.unseenSince)
                    .thenComparingLong(l -> l.seq), l -> l.spends, l -> l.urgent);
    private long started;
    private long pumpAt = Long.MAX_VALUE;
    private long pumps;

    public LiveReplies(Ticker ticker) {
        this.ticker = ticker;
    }

    /**
     * Starts a reply: posts the "thinking" placeholder as soon as the budgets allow, then follows the tokens.
     *
     * @param sink where the messages go
     * @param budgets every budget a write in this thread spends from
     * @param footerOnFallback whether a reply that fell back ends with a line naming who answered
     */
    public synchronized Live start(ReplySink sink, List<Budget> budgets, boolean footerOnFallback) {
        return start(sink, Spending.flat(budgets), FinalText.fallbackFooter(footerOnFallback));
    }

    /**
     * As {@link #start(ReplySink, List, boolean)}, each write spending only the budgets {@code spending} names for it.
     */
    public synchronized Live start(ReplySink sink, Spending spending, boolean footerOnFallback) {
        return start(sink, spending, FinalText.fallbackFooter(footerOnFallback));
    }

    /**
     * As {@link #start(ReplySink, List, boolean)}, the final text ending with a line of its own.
     *
     * @param footer the line under the final text by how the reply ended, in the model's Markdown; empty for none
     */
    public synchronized Live start(ReplySink sink, List<Budget> budgets, Function<ReplyOutcome, String> footer) {
        return start(sink, Spending.flat(budgets), footer);
    }

    /** As {@link #start(ReplySink, Spending, boolean)}, the final text ending with a line of its own. */
    public synchronized Live start(ReplySink sink, Spending spending, Function<ReplyOutcome, String> footer) {
        Live reply = new Live(sink, spending, footer, ticker.nanos(), started++);
        waiting.add(reply);
        pump();
        return reply;
    }

    /** Sends every write the budgets allow now, oldest unseen text first, and wakes up when the next may go. */
    private synchronized void pump() {
        long now = ticker.nanos();
        if (pumpAt <= now) {
            pumpAt = Long.MAX_VALUE; // the wake-up due now is this one; a later one still pending stays noted
        }
        long nextWake = Long.MAX_VALUE;
        long visit = ++pumps;
        // The next one is found first: a write that fails at once comes back into the engine before send returns.
        for (Live reply = waiting.first(), next; reply != null; reply = next) {
            next = waiting.after(reply);
            if (reply.inFlight || reply.unseenSince == 0 || reply.visited == visit) {
                continue;
            }
            reply.visited = visit;
            long wait = Budget.nanosUntilAllFree(reply.spends, now, reply.urgent);
            Write write = null;
            if (wait == 0) {
                write = reply.nextWrite();
                if (write == null) {
                    reply.nothingToWrite();
                    continue;
                }
                if (reply.respend(write)) { // not the write it was waiting for: wait for its own budgets
                    wait = Budget.nanosUntilAllFree(reply.spends, now, reply.urgent);
                }
            }
            if (wait > 0) {
                long everyone = waiting.nanosUntilAnyMayWrite(reply, now);
                nextWake = Math.min(nextWake, now + (everyone > 0 ? everyone : wait));
                if (everyone > 0) {
                    break; // a budget all of them spend from is busy: nobody else may write either
                }
                continue;
            }
            if (!Budget.takeAll(reply.spends, reply.urgent)) {
                // A writer outside the engine took a write since the look above: wait for the next one.
                long at = ticker.nanos();
                long later = Budget.nanosUntilAllFree(reply.spends, at, reply.urgent);
                nextWake = Math.min(nextWake, at + Math.max(later, MIN_WAKE_NANOS));
                continue;
            }
            reply.send(write);
        }
        if (nextWake != Long.MAX_VALUE) {
            wakeAt(nextWake);
        }
    }

    /**
     * Makes sure a pump runs at {@code at}: schedules one unless one is pending at or before it. Wake-ups are
     * scheduled only when an earlier one is needed, never one per pump or per token: with many replies waiting, a
     * scheduler queue full of wake-ups made every write cost more.
     */
    private void wakeAt(long at) {
        if (at >= pumpAt) {
            return;
        }
        pumpAt = at;
        ticker.schedule(Duration.ofNanos(Math.max(0, at - ticker.nanos())), this::pump);
    }

    /** One platform operation. */
    private record Write(Spending.Op op, int index, String text) {
    }

    /** One reply being shown. Feed it the router's events: it is the {@link ReplyListener} of the reply. */
    public final class Live implements ReplyListener {
        private final ReplySink sink;
        private final Spending spending;
        /** The budgets its next write spends, as far as known; its budgets in the index. */
        private List<Budget> spends;
        /** The budgets the write in flight spent. */
        private List<Budget> sentSpends = List.of();
        private final Function<ReplyOutcome, String> footer;
        private final StringBuilder source = new StringBuilder();
        private final List<String> ids = new ArrayList<>();
        private final List<String> shown = new ArrayList<>();
        private final CompletableFuture<List<String>> settled = new CompletableFuture<>();
        private String finalDisplay;
        private String storedText = "";
        private final long seq;
        private long visited;
        private boolean inFlight;
        /** When the oldest text not yet seen arrived; 0 when everything is seen or on its way. Its key in the index. */
        private long unseenSince;
        /** Whether its next write is its first visible sign or its final text; the first key in the index. */
        private boolean urgent;
        private long sentUnseenSince;
        private int editFailures;
        private int failuresInARow;
        private int frozen;
        private int frozenUpTo;
        private ReplyHandle upstream;
        private int version;
        private int layoutVersion = -1;
        private List<String> layout;
        private final ToolLines toolLines = new ToolLines();

        private Live(ReplySink sink, Spending spending, Function<ReplyOutcome, String> footer, long now,
                     long seq) {
            this.sink = sink;
            this.spending = spending;
            this.spends = spending.of(Spending.Op.POST, null, null);
            this.footer = footer;
            this.unseenSince = now;
            this.urgent = true; // its placeholder (or first words) is the first thing to show
            this.seq = seq;
        }

        /** Moves this reply in the index: its text waits since {@code since} (0: nothing waits); urgency anew. */
        private void unseenSince(long since) {
            waiting.remove(this);
            unseenSince = since;
            urgent = finalDisplay != null || ids.isEmpty();
            // Most writes edit the newest message; a pacing slot corrects the guess when it lays the text out.
            spends = ids.size() > frozen ? spending.of(Spending.Op.EDIT, ids.getLast(), null)
                    : spending.of(Spending.Op.POST, null, null);
            if (since != 0 && !inFlight && !settled.isDone()) {
                waiting.add(this);
            }
        }

        /**
         * Puts this reply in the index under the budgets {@code write} spends, if they are not those it waited for.
         *
         * @return whether they changed
         */
        private boolean respend(Write write) {
            List<Budget> actual = spending.of(write.op(),
                    write.op() == Spending.Op.POST ? null : ids.get(write.index()), write.text());
            if (actual == spends || actual.equals(spends)) {
                return false;
            }
            boolean indexed = waiting.remove(this);
            spends = actual;
            if (indexed) {
                waiting.add(this);
            }
            return true;
        }

        /** Visited by a pacing slot with nothing to write: done, or out of the index until new text comes. */
        private void nothingToWrite() {
            if (finalDisplay == null) {
                unseenSince(0);
            }
            finishIfSettled();
        }

        /** The router's handle, so a deleted message can stop the reply. */
        public void attach(ReplyHandle handle) {
            synchronized (LiveReplies.this) {
                this.upstream = handle;
            }
        }

        /** Completes with the platform message ids once the final text is shown everywhere. */
        public CompletableFuture<List<String>> settled() {
            return settled;
        }

        @Override
        public void onToken(String text) {
            synchronized (LiveReplies.this) {
                toolLines.answerStreams();
                source.append(text);
                changed();
            }
        }

        /** The text to show changed: it waits to be seen from now, and is written when the budgets allow. */
        private void changed() {
            version++;
            if (unseenSince != 0) {
                // Already waiting for a pacing slot: the pump that left it waiting scheduled one for it (or sooner),
                // and it writes its newest text then. Nothing to do per change.
                return;
            }
            unseenSince(ticker.nanos());
            // A full pump only when this reply could write now; otherwise the scheduled wake-up serves it.
            if (!inFlight) {
                long now = ticker.nanos();
                long wait = Budget.nanosUntilAllFree(spends, now, urgent);
                if (wait == 0) {
                    pump();
                } else {
                    wakeAt(now + wait);
                }
            }
        }

        /** A tool call's status line, written like any other change of the text (paced by the same budgets). */
        @Override
        public void onToolStatus(dev.switchboard.routing.ToolStatus status) {
            if (sink.showsToolStatus(status)) {
                return; // the platform shows it its own way (Slack's streaming task updates)
            }
            synchronized (LiveReplies.this) {
                toolLines.update(status);
                changed();
            }
        }

        @Override
        public CompletableFuture<Boolean> onApprovalNeeded(dev.switchboard.routing.ToolStatus call) {
            return sink.askApproval(call);
        }

        @Override
        public void onReset(Target failed, Failure why, Target next) {
            synchronized (LiveReplies.this) {
                source.setLength(0);
                version++;
                unseenSince(ticker.nanos());
                pump();
            }
        }

        /**
         * The assistant turn to store once the reply ended: the text the user ends up seeing, in the model's
         * Markdown (the whole answer, or only the part shown before a cancel or a failure). Empty before the end.
         */
        public String storedText() {
            synchronized (LiveReplies.this) {
                return storedText;
            }
        }

        @Override
        public void onDone(ReplyOutcome outcome) {
            synchronized (LiveReplies.this) {
                storedText = outcome instanceof ReplyOutcome.Completed c ? c.text() : source.toString();
                finalDisplay = FinalText.of(outcome, source.toString(), sink, footer);
                version++;
                if (!inFlight && nextWrite() == null) {
                    finishIfSettled(); // shown already: nothing to wait for
                    return;
                }
                unseenSince(unseenSince == 0 ? ticker.nanos() : unseenSince); // urgent from now on
                pump();
            }
        }

        /** What the messages should show right now, from the first one not frozen; worked out once per change. */
        private List<String> desired() {
            if (layoutVersion == version) {
                return layout;
            }
            layout = layoutNow();
            layoutVersion = version;
            return layout;
        }

        private List<String> layoutNow() {
            String display = finalDisplay != null ? finalDisplay
                    : toolLines.showing() ? sink.format(toolLines.below(source.toString())) + sink.cursor()
                    : source.isEmpty() ? sink.placeholder() : sink.format(source.toString()) + sink.cursor();
            String rest = frozenUpTo >= display.length() ? "" : display.substring(frozenUpTo).stripLeading();
            return rest.isEmpty() ? List.of() : Splitter.split(rest, sink.maxChars());
        }

        private Write nextWrite() {
            List<String> want = desired();
            for (int j = 0; j < want.size(); j++) {
                int index = frozen + j;
                if (index >= ids.size()) {
                    return new Write(Spending.Op.POST, index, want.get(j));
                }
                if (!shown.get(index).equals(want.get(j))) {
                    return new Write(Spending.Op.EDIT, index, want.get(j));
                }
            }
            if (ids.size() > frozen + want.size() && finalDisplay != null) {
                return new Write(Spending.Op.DELETE, ids.size() - 1, "");
            }
            return null;
        }

        private void finishIfSettled() {
            if (finalDisplay != null && !inFlight && nextWrite() == null && !settled.isDone()) {
                waiting.remove(this);
                settled.complete(List.copyOf(ids));
            }
        }

        private void send(Write write) {
            // This write shows everything seen so far; only text arriving from now on is unseen.
            sentUnseenSince = unseenSince;
            sentSpends = spends;
            unseenSince(0);
            inFlight = true;
            CompletionStage<?> call;
            try {
                call = switch (write.op()) {
                    case POST -> sink.post(write.text());
                    case EDIT -> sink.edit(ids.get(write.index()), write.text());
                    case DELETE -> sink.delete(ids.get(write.index()));
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
                synchronized (LiveReplies.this) {
                    waiting.remove(this);
                    settled.completeExceptionally(e);
                }
                stopping = "the reply cannot be shown";
            }
            String stop = stopping;
            ReplyHandle handle;
            synchronized (LiveReplies.this) {
                handle = upstream;
            }
            if (stop != null && handle != null) {
                if (Thread.holdsLock(LiveReplies.this)) {
                    // The write failed at once, inside the engine's lock: cancel from outside it.
                    ticker.schedule(Duration.ZERO, () -> handle.cancel(stop));
                } else {
                    handle.cancel(stop);
                }
            }
        }

        /** A write went through: the messages now show its text. Called with the engine's lock held. */
        private void shown(Write write, Object result) {
            editFailures = 0;
            failuresInARow = 0;
            switch (write.op()) {
                case POST -> {
                    ids.add((String) result);
                    shown.add(write.text());
                }
                case EDIT -> shown.set(write.index(), write.text());
                case DELETE -> {
                    ids.remove(write.index());
                    shown.remove(write.index());
                }
            }
            if (unseenSince == 0 && nextWrite() != null) {
                unseenSince(ticker.nanos()); // the final text or a reset came without tokens
            } else if (write.op() == Spending.Op.POST && ids.size() == 1) {
                unseenSince(unseenSince); // its first sign is seen: no longer urgent
            }
        }

        /**
         * The message at {@code index} will not take edits: leave it, and continue after what it shows. It covers
         * only what it really shows of the reply (a placeholder covers nothing). Called with the engine's lock held.
         */
        private void freeze(int index) {
            String keep = shown.get(index);
            String display = sink.format(source.toString());
            int from = Math.min(frozenUpTo, display.length());
            String rest = display.substring(from);
            int skipped = rest.length() - rest.stripLeading().length();
            frozenUpTo = from + skipped + Splitter.commonPrefix(keep, rest.stripLeading());
            frozen = index + 1;
            version++;
            editFailures = 0;
        }

        /** @return why the upstream reply must stop, or null */
        private String doneLocked(Write write, Object result, Throwable error) {
            synchronized (LiveReplies.this) {
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
                } else if (cause instanceof ReplySink.WriteFailed failed
                        && failed.kind() == ReplySink.WriteFailed.Kind.RATE_LIMITED) {
                    sentSpends.forEach(b -> b.pause(failed.retryAfter()));
                } else if (cause instanceof ReplySink.WriteFailed failed
                        && failed.kind() == ReplySink.WriteFailed.Kind.GONE) {
                    log.info("a reply's message was deleted; stopping the reply");
                    waiting.remove(this);
                    settled.complete(List.copyOf(ids));
                    return "the message was deleted";
                } else if (++failuresInARow > 5 * EDIT_FAILURES_BEFORE_MOVING_ON) {
                    log.error("a reply could not be written after {} tries; giving up: {}", failuresInARow,
                            cause.toString());
                    waiting.remove(this);
                    settled.completeExceptionally(cause);
                    return "the reply cannot be shown";
                } else if (write.op() == Spending.Op.EDIT && ++editFailures >= EDIT_FAILURES_BEFORE_MOVING_ON) {
                    freeze(write.index());
                    log.warn("edits of a reply message keep failing; continuing in a new message: {}",
                            cause.toString());
                } else if (write.op() == Spending.Op.POST) {
                    log.warn("posting a reply message failed; trying again: {}", cause.toString());
                }
                if (unseenSince == 0) {
                    finishIfSettled();
                }
                pump();
                return null;
            }
        }
    }
}
