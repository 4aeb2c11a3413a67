package dev.switchboard.answering;

import dev.failsafe.spi.Scheduler;
import dev.switchboard.answering.ReplyStarter.StartedReply;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Turn;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns users' messages into replies, the same way for every platform: each message is stored durably before the
 * adapter acknowledges it, answered exactly once (a retried delivery, a second event for the same message, or a
 * restart in between finds it in the store), and answered in order within its thread, so a reply always has the
 * thread's whole history as context. The reply is started and shown through a {@link ReplyStarter}; the text the user
 * ends up seeing is stored as the assistant's turn.
 *
 * <p>Thread-safe. Work for one thread is serialised by that thread's queue; different threads run in parallel.
 *
 * @param <S> where the platform shows a reply, as the adapters' {@link ChatThread}s give it
 */
public final class Conversations<S> implements AutoCloseable {

    /** What a new message does to a reply still streaming in the same thread. */
    public enum OnNewMessage {
        /** The current reply finishes; the new message is answered next, with the whole thread as context. */
        QUEUE,
        /** The current reply stops where it is; the new message is answered at once. */
        RESTART
    }

    /**
     * At most {@code messages} new messages per user within {@code per}.
     *
     * @param messages at least 1
     * @param per a positive window
     */
    public record RateLimit(int messages, Duration per) {
        public RateLimit {
            if (messages < 1) {
                throw new IllegalArgumentException("a rate limit allows at least 1 message, not " + messages);
            }
            if (per == null || per.isZero() || per.isNegative()) {
                throw new IllegalArgumentException("a rate limit's window must be positive, not " + per);
            }
        }
    }

    /**
     * How one platform's messages are handled.
     *
     * @param botId the bot's user id on the platform, the author of its turns
     * @param onNewMessage what a new message does to a reply still streaming in the same thread
     * @param userRateLimit how many messages one user may send per window
     * @param fallbackFooter whether a reply that fell back names who answered
     */
    public record Policy(String botId, OnNewMessage onNewMessage, RateLimit userRateLimit, boolean fallbackFooter) {
        public Policy {
            Objects.requireNonNull(botId, "botId");
            Objects.requireNonNull(onNewMessage, "onNewMessage");
            Objects.requireNonNull(userRateLimit, "userRateLimit");
        }
    }

    /**
     * A user message stored but never answered: the process stopped after acknowledging it.
     *
     * @param key its thread
     * @param message the stored turn
     */
    public record Unanswered(ConversationKey key, Turn message) { }

    private final ConversationStore store;
    private final MeterRegistry meters;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger answering = new AtomicInteger();
    private final ThreadQueues<S> queues;
    private final Intake<S> intake;
    private final UserRateLimits userLimits;
    private final IngestLag ingestLag = new IngestLag(System::nanoTime);
    private final Recovery recovery;
    private final Verdicts verdicts;
    private final ReplyRun<S> runs;
    /** How each platform resubmits a stored message it did not receive: its adapter's leftover path, by platform. */
    private final java.util.Map<String, java.util.function.Consumer<Unanswered>> resumers =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** The scheduler this made for itself, closed with it; null when it was handed one. */
    private ScheduledExecutorService scheduler;

    /** With a scheduler of its own for the pauses between tries at storing a reply, closed with it. */
    public Conversations(ConversationStore store, ReplyStarter<S> replies, Clock clock, MeterRegistry meters) {
        this(store, replies, clock, meters, ownScheduler(), true);
    }

    /**
     * @param scheduler where the pauses between tries at storing a reply wait while the store is away (the tries
     *     themselves run on the use case's workers); not closed here
     */
    public Conversations(ConversationStore store, ReplyStarter<S> replies, Clock clock, MeterRegistry meters,
                         ScheduledExecutorService scheduler) {
        this(store, replies, clock, meters, scheduler, false);
    }

    private Conversations(ConversationStore store, ReplyStarter<S> replies, Clock clock, MeterRegistry meters,
                          ScheduledExecutorService scheduler, boolean ownsScheduler) {
        this(store, replies, clock, meters, Scheduler.of(scheduler), StoreRetry.Options.DEFAULT);
        this.scheduler = ownsScheduler ? scheduler : null;
    }

    /** With the pauses between tries at storing a reply on any Failsafe scheduler (tests drive a manual one). */
    Conversations(ConversationStore store, ReplyStarter<S> replies, Clock clock, MeterRegistry meters,
                  Scheduler scheduler, StoreRetry.Options retry) {
        this.store = store;
        this.meters = meters;
        StoreRetry storing = new StoreRetry(store, scheduler, workers, clock, retry, workers::isShutdown, meters);
        this.runs = new ReplyRun<>(store, replies, clock, workers, storing);
        this.queues = new ThreadQueues<>(waiting, answering, workers, runs);
        queues.settleWith(new Settling(scheduler, clock));
        queues.resumeWith(left -> {
            java.util.function.Consumer<Unanswered> resume = resumers.get(left.key().platform());
            if (resume != null) {
                resume.accept(left);
            }
        });
        this.userLimits = new UserRateLimits(clock);
        this.intake = new Intake<>(store, userLimits, queues, clock, ingestLag);
        this.recovery = new Recovery(store, clock, queues::busyWith);
        this.verdicts = new Verdicts(store, clock, meters);
        meters.gauge("switchboard.chat.waiting", waiting);
        meters.gauge("switchboard.chat.answering", answering);
    }

    /**
     * Takes a message: refuses it, recognises it as already handled, or stores it and schedules its reply. Returns
     * once the message is durable, so the adapter may acknowledge it to the platform; the reply runs afterwards.
     *
     * @throws dev.switchboard.conversation.StoreException if the message could not be stored: do not acknowledge
     *     it, so the platform delivers it again
     */
    public Admission submit(Inbound message, ChatThread<S> thread, Policy policy) {
        Admission admission = queues.submit(message.key(), policy.onNewMessage() == OnNewMessage.RESTART,
                lane -> intake.admit(lane, message, thread, policy));
        meters.counter("switchboard.chat.messages", "platform", message.key().platform(), "outcome",
                switch (admission) {
                    case Admission.Accepted a -> "accepted";
                    case Admission.Duplicate d -> "duplicate";
                    case Admission.Refused r -> "refused";
                }).increment();
        return admission;
    }

    /**
     * Messages of a platform written within {@code within} of now that have no reply and none in progress: the
     * process stopped between acknowledging and answering them. Adapters resubmit them at start.
     */
    public List<Unanswered> unanswered(String platform, Duration within) {
        return recovery.unanswered(platform, within);
    }

    /**
     * Shares the users' rate limits with other processes on the same store: a user writing to several spends one
     * allowance. Call before the first message.
     */
    public void shareUserLimits(dev.switchboard.conversation.UserAllowances allowances) {
        userLimits.shareWith(allowances);
    }

    /**
     * Shares the threads with other processes on the same store: a thread is answered only while this process holds
     * its lease. Call before the first message; a single process needs none.
     */
    public void leaseWith(ThreadLeases leases) {
        queues.leaseWith(leases);
    }

    /**
     * How {@code platform}'s adapter resubmits a stored, unanswered message it may not have received itself (it
     * builds the {@link ChatThread} and calls {@link #submit}); used by {@link #resumeUnheld}.
     */
    public void resumeWith(String platform, java.util.function.Consumer<Unanswered> resume) {
        resumers.put(platform, Objects.requireNonNull(resume, "resume"));
    }

    /**
     * Hands the stored messages written within {@code within} that have no answer, none in progress here, and whose
     * thread no other live process holds, to their platform's {@link #resumeWith resumer}: messages another process
     * stored for a thread this one held, and the threads of a process that died. A message whose thread another
     * process takes first is left to it at {@link #submit}.
     *
     * @return how many were taken up (queued or being answered here)
     */
    public int resumeUnheld(Duration within) {
        if (resumers.isEmpty()) {
            return 0;
        }
        java.util.Set<ConversationKey> elsewhere = null; // asked only when something is left unanswered
        int handed = 0;
        for (var entry : resumers.entrySet()) {
            for (Unanswered left : unanswered(entry.getKey(), within)) {
                if (elsewhere == null) {
                    elsewhere = queues.leases().heldElsewhere();
                }
                if (!elsewhere.contains(left.key())) {
                    entry.getValue().accept(left);
                    // Counted only when it was taken: a message the adapter cannot answer here (a channel this
                    // process does not see) is offered again at the next poll, quietly.
                    if (queues.busyWith(left.key(), left.message().messageIds().getFirst())) {
                        handed++;
                    }
                }
            }
        }
        return handed;
    }

    /**
     * Hands the stored messages without an answer of a thread this process holds, and is not answering yet, to their
     * platform's {@link #resumeWith resumer}: another process stored them and signalled. Each is queued in its
     * place: a reply starts only after the thread's earlier stored messages are answered.
     *
     * @return how many were handed over
     */
    public int resumeHeld(ConversationKey key) {
        java.util.function.Consumer<Unanswered> resume = resumers.get(key.platform());
        if (resume == null) {
            return 0;
        }
        int handed = 0;
        for (Turn left : queues.leases().unanswered(key)) {
            if (!queues.busyWith(key, left.messageIds().getFirst())) {
                resume.accept(new Unanswered(key, left));
                handed++;
            }
        }
        return handed;
    }

    /**
     * Stops the reply to a message, or drops it from the queue: the user deleted it.
     *
     * @return whether a reply was stopped or dropped
     */
    public boolean cancel(ConversationKey key, String messageId, String reason) {
        return queues.cancel(key, messageId, reason);
    }

    /** Whether the store holds the thread: the bot takes part in it. */
    public boolean knows(ConversationKey key) {
        return store.load(key).isPresent();
    }

    /**
     * When the store's record of a thread begins (its first stored message), or empty when the store does not hold it.
     * A message written before that is older than the bot's part in the thread, whenever it arrives.
     */
    public java.util.Optional<java.time.Instant> startedAt(ConversationKey key) {
        return store.load(key).map(dev.switchboard.conversation.Conversation::startedAt);
    }

    /**
     * Keeps a note on a conversation durably ({@code value} null removes it): what an adapter must find again after a
     * restart, such as a command taken but not yet posted.
     *
     * @throws dev.switchboard.conversation.StoreException if it could not be stored
     */
    public void note(ConversationKey key, String name, String value) {
        store.putMetadata(key, name, value);
    }

    /**
     * The name of the note listing the platform ids of the messages a reply to {@code messageId} has shown so far,
     * comma-separated, oldest first: a reply given again after a restart continues in them. An adapter that finds such
     * messages on the platform, shown but never noted, writes it before resubmitting the message.
     */
    public static String shownFor(String messageId) {
        return ReplyRun.shownFor(messageId);
    }

    /** The notes kept on a conversation, by name; empty when there is none. */
    public java.util.Map<String, String> notes(ConversationKey key) {
        return store.load(key).map(dev.switchboard.conversation.Conversation::metadata).orElse(java.util.Map.of());
    }

    /** Whether a message is waiting for or getting its reply now. */
    public boolean busyWith(ConversationKey key, String messageId) {
        return queues.busyWith(key, messageId);
    }

    /** How much of the files that come with messages is read, and whether they are kept. */
    public void files(AttachmentLimits limits) {
        runs.files.limits(limits);
    }

    /** People's 👍 / 👎 on the answers: every adapter's presses go here. */
    public Verdicts verdicts() {
        return verdicts;
    }

    /**
     * How late this process stores the messages reaching it: the longest time from a message being written on the
     * platform to its being stored, over about the last minute; how many it stored; each lag as it is noted.
     */
    public IngestLag ingest() {
        return ingestLag;
    }

    /** Replies waiting or streaming, across every thread. */
    public int inProgress() {
        return waiting.get() + answering.get();
    }

    /** Stops every reply in progress at once and takes no more messages. */
    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /**
     * Takes no more messages, lets the replies being written finish for up to {@code drain}, then interrupts the
     * rest (their messages say so) and waits a little for that to be shown and stored. Replies still queued stay
     * stored as unanswered: the next start answers them.
     */
    public void close(Duration drain) {
        queues.close(drain, StartedReply.SHUTDOWN);
        workers.shutdown();
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private static ScheduledExecutorService ownScheduler() {
        return Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("store-retry")
                .factory());
    }
}
