package dev.switchboard.live;

import dev.switchboard.live.ReplyMessages.Write;
import dev.switchboard.routing.ReplyOutcome;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Keeps platform messages in step with streaming replies, within each platform's write budgets.
 *
 * <p>Each reply has at most one write in flight, and that write carries its newest text: work never grows with the
 * token rate. Free budget goes to the reply whose text has waited longest to be seen, so one long reply cannot starve
 * the others. A reply longer than a message continues in new messages ({@link Splitter}); the last write of every
 * message carries its exact final text. A 429 pauses every budget the write belonged to for its Retry-After; a message
 * whose edits keep failing is left as it is and the rest of the reply continues in a new message. A reply's first
 * visible sign and its final text are urgent: they go before the others' progress and may spend the write each budget
 * holds back ({@link Need}), so a finished reply shows complete at once, not at the next pacing slot.
 *
 * <p>A pacing slot works through the replies with text to show, in an index by urgency and how long it waited (no
 * sort), stops when a budget all of them share is busy, and lays a reply's text out only when a write of it may go.
 *
 * <p>Thread-safe: all state is guarded by this engine; platform answers and tokens may arrive on any thread.
 */
public final class LiveReplies {

    static final String THINKING = "_thinking…_";
    static final String CURSOR = " ▍";
    /** The reason a reply is cancelled with when the service stops before it could finish. */
    public static final String SHUTDOWN = "the service is stopping";
    /** The soonest a pump looks again after losing a write to a writer outside the engine. */
    private static final long MIN_WAKE_NANOS = 1_000_000;

    final Ticker ticker;
    /** Replies not in flight whose text has not all been seen: urgent ones first, then oldest unseen text first. */
    final WaitingReplies<Live> waiting = new WaitingReplies<>(
            Comparator.<Live>comparingInt(l -> l.need.urgent() ? 0 : 1).thenComparingLong(l -> l.unseenSince)
                    .thenComparingLong(l -> l.seq), l -> l.spends, l -> l.need.urgent());
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
        Live reply = new Live(this, sink, spending, footer, ticker.nanos(), started++);
        waiting.add(reply);
        pump();
        return reply;
    }

    /** Sends every write the budgets allow now, oldest unseen text first, and wakes up when the next may go. */
    synchronized void pump() {
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
            long wait = Budget.nanosUntilAllFree(reply.spends, now, reply.need);
            Write write = null;
            if (wait == 0) {
                write = reply.messages.nextWrite();
                if (write == null) {
                    reply.nothingToWrite();
                    continue;
                }
                if (reply.respend(write)) { // not the write it was waiting for: wait for its own budgets
                    wait = Budget.nanosUntilAllFree(reply.spends, now, reply.need);
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
            if (!Budget.takeAll(reply.spends, reply.need)) {
                // A writer outside the engine took a write since the look above: wait for the next one.
                long at = ticker.nanos();
                long later = Budget.nanosUntilAllFree(reply.spends, at, reply.need);
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
    void wakeAt(long at) {
        if (at >= pumpAt) {
            return;
        }
        pumpAt = at;
        ticker.schedule(Duration.ofNanos(Math.max(0, at - ticker.nanos())), this::pump);
    }
}
