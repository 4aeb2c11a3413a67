package dev.switchboard.chat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.config.SwitchboardConfig.OnNewMessage;
import dev.switchboard.config.SwitchboardConfig.RateLimit;
import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.SeenMessages;
import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.TurnRejectedException;
import dev.switchboard.live.LiveReplies;
import dev.switchboard.routing.ReplyHandle;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.ReplyRequest;
import dev.switchboard.routing.Router;
import dev.switchboard.routing.TargetFailure;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns users' messages into replies, the same way for every platform: each message is stored durably before the
 * adapter acknowledges it, answered exactly once (a retried delivery, a second event for the same message, or a
 * restart in between finds it in the store), and answered in order within its thread, so a reply always has the
 * thread's whole history as context. The reply streams through {@link LiveReplies}; the text the user ends up seeing
 * is stored as the assistant's turn.
 *
 * <p>Thread-safe. Work for one thread is serialised by that thread's state; different threads run in parallel.
 */
public final class Conversations implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Conversations.class);

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

    private final ConversationStore store;
    private final Router router;
    private final LiveReplies live;
    private final Clock clock;
    private final MeterRegistry meters;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<ConversationKey, ThreadState> threads = new ConcurrentHashMap<>();
    private final Cache<String, Bucket> userBuckets = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofHours(1)).build();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger answering = new AtomicInteger();
    private volatile boolean closed;

    public Conversations(ConversationStore store, Router router, LiveReplies live, Clock clock, MeterRegistry meters) {
        this.store = store;
        this.router = router;
        this.live = live;
        this.clock = clock;
        this.meters = meters;
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
    public Admission submit(Inbound message, ChatThread thread, Policy policy) {
        while (true) {
            ThreadState state = threads.computeIfAbsent(message.key(), ThreadState::new);
            Admission admission;
            Job superseded;
            synchronized (state) {
                if (state.retired) {
                    continue;
                }
                superseded = policy.onNewMessage() == OnNewMessage.RESTART ? state.running : null;
                try {
                    admission = admit(state, message, thread, policy);
                } finally {
                    retireIfIdle(state);
                }
                meters.counter("switchboard.chat.messages", "platform", message.key().platform(), "outcome",
                        switch (admission) {
                            case Admission.Accepted a -> "accepted";
                            case Admission.Duplicate d -> "duplicate";
                            case Admission.Refused r -> "refused";
                        }).increment();
            }
            // Outside the lock: cancelling calls into the live engine, whose callbacks take this lock.
            if (superseded != null && admission instanceof Admission.Accepted) {
                superseded.cancel("a newer message arrived in the thread");
            }
            return admission;
        }
    }

    private Admission admit(ThreadState state, Inbound message, ChatThread thread, Policy policy) {
        if (closed) {
            return new Admission.Refused("I'm restarting right now; please ask again in a minute.");
        }
        if (state.holds(message.messageId())) {
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
            Duration wait = rateLimit(message, policy.userRateLimit());
            if (!wait.isZero()) {
                long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
                return new Admission.Refused("You're sending messages faster than I can answer them. Please try"
                        + " again in about " + seconds + (seconds == 1 ? " second." : " seconds."));
            }
            try {
                store.append(message.key(), Turn.user(message.authorId(), message.authorName(), message.text(),
                        message.at(), List.of(message.messageId())));
            } catch (TurnRejectedException e) {
                return new Admission.Refused("I can't take that message: " + e.getMessage() + ".");
            } catch (RuntimeException e) {
                refund(message); // not taken: the platform's retry must not find the user's allowance spent
                throw e;
            }
        }
        Job job = new Job(message, thread, policy, stored.isEmpty());
        int ahead = state.queue.size() + (state.running != null ? 1 : 0);
        state.queue.add(job);
        waiting.incrementAndGet();
        if (state.running == null) {
            startNext(state);
        }
        return new Admission.Accepted(ahead);
    }

    private Duration rateLimit(Inbound message, RateLimit limit) {
        String user = message.key().platform() + "\u0000" + message.authorId();
        Bucket bucket = userBuckets.get(user, u -> Bucket.builder()
                .addLimit(l -> l.capacity(limit.messages()).refillGreedy(limit.messages(), limit.per()))
                .withCustomTimePrecision(new TimeMeter() {
                    @Override
                    public long currentTimeNanos() {
                        return clock.millis() * 1_000_000L;
                    }

                    @Override
                    public boolean isWallClockBased() {
                        return true;
                    }
                })
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Duration.ZERO : Duration.ofNanos(probe.getNanosToWaitForRefill());
    }

    private void refund(Inbound message) {
        Bucket bucket = userBuckets.getIfPresent(message.key().platform() + "\u0000" + message.authorId());
        if (bucket != null) {
            bucket.addTokens(1);
        }
    }

    /**
     * A user message stored but never answered: the process stopped after acknowledging it.
     *
     * @param key its thread
     * @param message the stored turn
     */
    public record Unanswered(ConversationKey key, Turn message) { }

    /**
     * Messages of a platform written within {@code within} of now that have no reply and none in progress: the
     * process stopped between acknowledging and answering them. Adapters resubmit them at start.
     */
    public List<Unanswered> unanswered(String platform, Duration within) {
        List<Unanswered> found = new ArrayList<>();
        for (SeenMessages.Pending p : store.unanswered(platform, clock.instant().minus(within))) {
            if (!busyWith(p.key(), p.message().messageIds().getFirst())) {
                found.add(new Unanswered(p.key(), p.message()));
            }
        }
        return found;
    }

    /**
     * Stops the reply to a message, or drops it from the queue: the user deleted it.
     *
     * @return whether a reply was stopped or dropped
     */
    public boolean cancel(ConversationKey key, String messageId, String reason) {
        ThreadState state = threads.get(key);
        if (state == null) {
            return false;
        }
        Job running;
        synchronized (state) {
            running = state.running;
            if (running == null || !running.message.messageId().equals(messageId)) {
                boolean removed = state.queue.removeIf(j -> j.message.messageId().equals(messageId));
                if (removed) {
                    waiting.decrementAndGet();
                }
                return removed;
            }
        }
        running.cancel(reason);
        return true;
    }

    /** Whether the store holds the thread: the bot takes part in it. */
    public boolean knows(ConversationKey key) {
        return store.load(key).isPresent();
    }

    /** Whether a message is waiting for or getting its reply now. */
    public boolean busyWith(ConversationKey key, String messageId) {
        ThreadState state = threads.get(key);
        if (state == null) {
            return false;
        }
        synchronized (state) {
            return state.holds(messageId);
        }
    }

    /** Replies waiting or streaming, across every thread. */
    public int inProgress() {
        return waiting.get() + answering.get();
    }

    private void startNext(ThreadState state) {
        Job job = state.queue.poll();
        if (job == null) {
            return;
        }
        waiting.decrementAndGet();
        answering.incrementAndGet();
        state.running = job;
        workers.execute(() -> run(state, job));
    }

    private void run(ThreadState state, Job job) {
        Instant started = clock.instant();
        String cancelled = job.cancelledBeforeStart();
        if (cancelled != null) {
            // Superseded or withdrawn before it began: nothing is shown, and the message counts as handled.
            record(job, new ReplyOutcome.Cancelled(cancelled), "", List.of(), started);
            done(state, job);
            return;
        }
        LiveReplies.Live reply = null;
        try {
            if (job.rebuild) {
                rebuild(job);
            }
            Conversation conversation = store.load(job.message.key())
                    .orElseThrow(() -> new IllegalStateException("the thread vanished from the store"));
            List<Turn> history = historyFor(conversation.turns(), job.message.messageId());
            job.sink = resuming(job, conversation);
            reply = live.start(job.sink, job.thread.budgets(), job.policy.fallbackFooter());
            job.thread.working();
            ReplyHandle handle = router.reply(new ReplyRequest(job.message.key(), history, job.message.authorName(),
                    job.message.channelName()), reply);
            reply.attach(handle);
            job.started(handle);
            follow(state, job, reply, handle.outcome(), started);
        } catch (RuntimeException e) {
            log.error("could not start the reply in {}", job.message.key(), e);
            // The user still gets one line in the thread, and the status and placeholder are cleared.
            if (reply == null) {
                if (job.sink == null) {
                    job.sink = resuming(job, null);
                }
                reply = live.start(job.sink, job.thread.budgets(), false);
            }
            ReplyOutcome failed = new ReplyOutcome.Failed("Something went wrong on my side before I could answer."
                    + " Please try again.", List.of());
            reply.onDone(failed);
            follow(state, job, reply, CompletableFuture.completedFuture(failed), started);
        }
    }

    /** Once the outcome is known and shown: store the answer, then start the thread's next reply. */
    private void follow(ThreadState state, Job job, LiveReplies.Live reply, CompletableFuture<ReplyOutcome> outcome,
                        Instant started) {
        CompletableFuture<List<String>> shown = reply.settled().handle((ids, error) -> ids == null
                ? List.<String>of() : ids);
        // On a worker: these callbacks may fire inside the live engine's lock, and recording takes others.
        outcome.thenCombineAsync(shown, (o, ids) -> {
            record(job, o, reply.storedText(), ids, started);
            return o;
        }, workers).whenComplete((o, error) -> {
            if (error != null) {
                log.error("a reply in {} ended with an internal error", job.message.key(), error);
            }
            done(state, job);
        });
    }

    /** Where the platform ids of a reply's messages are kept while it is written, by the message it answers. */
    static String shownFor(String messageId) {
        return "shown_for." + messageId;
    }

    /**
     * The thread's sink, remembering in the store every message the reply puts on the platform, and taking over
     * the messages an earlier try at this answer left when the process was killed.
     */
    private ResumingSink resuming(Job job, Conversation conversation) {
        String name = shownFor(job.message.messageId());
        String earlier = conversation == null ? null : conversation.metadata().get(name);
        List<String> ids = earlier == null || earlier.isEmpty() ? List.of() : List.of(earlier.split(","));
        if (!ids.isEmpty()) {
            log.info("continuing an interrupted reply in {} in its {} message(s)", job.message.key(), ids.size());
        }
        return new ResumingSink(job.thread.sink(), ids, shown -> {
            try {
                store.putMetadata(job.message.key(), name, String.join(",", shown));
            } catch (RuntimeException e) {
                // Only the clean-up after a crash depends on it; the reply itself goes on.
                log.warn("could not note a reply's message in {}: {}", job.message.key(), e.toString());
            }
        }, workers);
    }

    private void rebuild(Job job) {
        List<Turn> earlier;
        try {
            earlier = job.thread.earlierTurns();
        } catch (RuntimeException e) {
            log.warn("could not read the thread's earlier messages from the platform; answering without them: {}",
                    e.toString());
            return;
        }
        Set<String> known = new HashSet<>();
        store.load(job.message.key()).ifPresent(c -> c.turns().forEach(t -> known.addAll(t.messageIds())));
        for (Turn turn : earlier) {
            // Only what came before the message, and nothing the store already has (a message that arrived since).
            if (!turn.at().isBefore(job.message.at()) || turn.messageIds().stream().anyMatch(known::contains)) {
                continue;
            }
            try {
                store.append(job.message.key(), turn);
            } catch (TurnRejectedException e) {
                log.debug("an earlier message was not kept: {}", e.getMessage());
            }
        }
        if (!earlier.isEmpty()) {
            log.info("rebuilt {} from {} earlier platform messages", job.message.key(), earlier.size());
        }
    }

    private void record(Job job, ReplyOutcome outcome, String text, List<String> ids, Instant started) {
        AssistantMeta meta = switch (outcome) {
            case ReplyOutcome.Completed c -> new AssistantMeta(c.target().provider(), c.target().model(),
                    names(c.failures()), c.usage(), c.firstToken(), c.latency(), job.message.messageId());
            case ReplyOutcome.Failed f -> new AssistantMeta("", "", names(f.failures()), TokenUsage.NONE,
                    Duration.ZERO, Duration.ZERO, job.message.messageId());
            case ReplyOutcome.Cancelled c -> new AssistantMeta("", "", List.of(), TokenUsage.NONE, Duration.ZERO,
                    Duration.ZERO, job.message.messageId());
        };
        try {
            // Stamped with the start of the reply: the answer belongs right after the message it answers.
            store.append(job.message.key(), Turn.assistant(job.policy.botId(), text, started, ids, meta));
        } catch (RuntimeException e) {
            log.error("the reply in {} was shown but could not be stored", job.message.key(), e);
        }
        try {
            job.thread.finished(outcome, ids);
        } catch (RuntimeException e) {
            log.warn("finishing the reply in {} failed: {}", job.message.key(), e.toString());
        }
        if (job.sink != null) {
            // The earlier try's messages this one did not need go, and the note of shown messages with them.
            for (String stale : job.sink.leftovers()) {
                job.thread.sink().delete(stale);
            }
            try {
                store.putMetadata(job.message.key(), shownFor(job.message.messageId()), null);
            } catch (RuntimeException e) {
                log.debug("the note of a reply's messages in {} stays: {}", job.message.key(), e.toString());
            }
        }
    }

    private static List<String> names(List<TargetFailure> failures) {
        return failures.stream().map(f -> f.target().provider() + "/" + f.target().model()).toList();
    }

    private void done(ThreadState state, Job job) {
        answering.decrementAndGet();
        job.done.complete(null);
        synchronized (state) {
            if (state.running == job) {
                state.running = null;
            }
            if (!closed) {
                startNext(state);
            }
            retireIfIdle(state);
        }
    }

    /** Called with the state's lock held. */
    private void retireIfIdle(ThreadState state) {
        if (state.running == null && state.queue.isEmpty()) {
            state.retired = true;
            threads.remove(state.key, state);
        }
    }

    /**
     * The turns to send for answering {@code messageId}: in conversation order (each answer right after the message
     * it answers, whatever order they were stored in), up to and including that message.
     */
    static List<Turn> historyFor(List<Turn> stored, String messageId) {
        List<Turn> sorted = new ArrayList<>(stored);
        sorted.sort(Comparator.comparing(Turn::at)); // stable: equal times keep their stored order
        Set<String> userIds = new HashSet<>();
        for (Turn t : sorted) {
            if (t.role() == Role.USER) {
                userIds.addAll(t.messageIds());
            }
        }
        Map<String, List<Turn>> answers = new LinkedHashMap<>();
        for (Turn t : sorted) {
            if (t.role() == Role.ASSISTANT && userIds.contains(t.assistant().replyTo())) {
                answers.computeIfAbsent(t.assistant().replyTo(), id -> new ArrayList<>()).add(t);
            }
        }
        List<Turn> ordered = new ArrayList<>(sorted.size());
        for (Turn t : sorted) {
            if (t.role() == Role.ASSISTANT && answers.containsKey(t.assistant().replyTo())) {
                continue;
            }
            ordered.add(t);
            if (t.role() == Role.USER) {
                if (t.messageIds().contains(messageId)) {
                    return ordered;
                }
                for (String id : t.messageIds()) {
                    ordered.addAll(answers.getOrDefault(id, List.of()));
                }
            }
        }
        return ordered;
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
        closed = true;
        List<Job> running = new ArrayList<>();
        for (ThreadState state : threads.values()) {
            synchronized (state) {
                waiting.addAndGet(-state.queue.size());
                state.queue.clear();
                if (state.running != null) {
                    running.add(state.running);
                }
            }
        }
        if (!drain.isZero() && !running.isEmpty()) {
            log.info("waiting up to {} s for {} replies to finish", drain.toSeconds(), running.size());
            if (!await(running, drain)) {
                log.info("interrupting the replies still being written");
            }
        }
        running.forEach(job -> job.cancel(LiveReplies.SHUTDOWN));
        // Let the interrupted replies say so and be stored, within reason.
        if (!await(running, Duration.ofSeconds(5))) {
            log.warn("{} replies were still finishing when the service stopped", running.stream()
                    .filter(j -> !j.done.isDone()).count());
        }
        workers.shutdown();
    }

    private static boolean await(List<Job> jobs, Duration within) {
        try {
            CompletableFuture.allOf(jobs.stream().map(j -> j.done).toArray(CompletableFuture[]::new))
                    .get(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    private static final class ThreadState {
        private final ConversationKey key;
        private final Deque<Job> queue = new ArrayDeque<>();
        private Job running;
        private boolean retired;

        ThreadState(ConversationKey key) {
            this.key = key;
        }

        boolean holds(String messageId) {
            return running != null && running.message.messageId().equals(messageId)
                    || queue.stream().anyMatch(j -> j.message.messageId().equals(messageId));
        }
    }

    private static final class Job {
        private final Inbound message;
        private final ChatThread thread;
        private final Policy policy;
        private final boolean rebuild;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private ReplyHandle handle;
        private String cancelled;
        /** The reply's sink once it started; read when it is recorded. */
        private volatile ResumingSink sink;

        Job(Inbound message, ChatThread thread, Policy policy, boolean rebuild) {
            this.message = message;
            this.thread = thread;
            this.policy = policy;
            this.rebuild = rebuild;
        }

        synchronized void started(ReplyHandle handle) {
            this.handle = handle;
            if (cancelled != null) {
                handle.cancel(cancelled);
            }
        }

        synchronized String cancelledBeforeStart() {
            return handle == null ? cancelled : null;
        }

        synchronized void cancel(String reason) {
            if (handle != null) {
                handle.cancel(reason);
            } else if (cancelled == null) {
                cancelled = reason;
            }
        }
    }
}
