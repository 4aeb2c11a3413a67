package dev.switchboard.answering;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Turn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One queue per thread: its replies run one at a time, in the order their messages were taken, so each reply has the
 * whole thread before it as context; different threads run in parallel. A thread with nothing queued or running is
 * dropped. Where other processes share the threads, {@link SharedThreads} decides before each reply starts whether it
 * waits, goes on, or leaves the thread to another process. Thread-safe: each thread's queue is guarded by its
 * {@link Lane}.
 *
 * @param <S> where the platform shows a reply
 */
final class ThreadQueues<S> {

    private static final Logger log = LoggerFactory.getLogger(ThreadQueues.class);

    /** Runs one job's reply on a worker; the stage completes once it is recorded. */
    interface Runner<S> {
        CompletableFuture<Void> run(Job<S> job);
    }

    private final Map<ConversationKey, Lane> lanes = new ConcurrentHashMap<>();
    private final AtomicInteger waiting;
    private final AtomicInteger answering;
    private final Executor workers;
    private final Runner<S> runner;
    private volatile boolean closed;
    /** Settling, lease confirmation and earlier messages first, where other processes share the threads. */
    private final SharedThreads shared = new SharedThreads();

    ThreadQueues(AtomicInteger waiting, AtomicInteger answering, Executor workers, Runner<S> runner) {
        this.waiting = waiting;
        this.answering = answering;
        this.workers = workers;
        this.runner = runner;
    }

    /**
     * Decides on a message under its thread's lock. With {@code supersede}, a reply running in the thread when the
     * message is accepted is cancelled, outside the lock (the live engine's callbacks take it).
     */
    Admission submit(ConversationKey key, boolean supersede, Function<Lane, Admission> decide) {
        while (true) {
            Lane lane = lanes.computeIfAbsent(key, Lane::new);
            Admission admission;
            Job<S> superseded;
            synchronized (lane) {
                if (lane.retired) {
                    continue;
                }
                superseded = supersede ? lane.running : null;
                try {
                    admission = decide.apply(lane);
                } finally {
                    retireIfIdle(lane);
                }
            }
            if (superseded != null && admission instanceof Admission.Accepted) {
                superseded.cancel("a newer message arrived in the thread");
            }
            return admission;
        }
    }

    boolean closed() {
        return closed;
    }

    ThreadLeases leases() {
        return shared.leases();
    }

    /** How a stored message this process did not receive is submitted again (its platform's leftover path). */
    void resumeWith(java.util.function.Consumer<Conversations.Unanswered> resume) {
        shared.resumeWith(resume);
    }

    void settleWith(Settling settling) {
        shared.settleWith(settling);
    }

    void leaseWith(ThreadLeases leases) {
        shared.leaseWith(leases);
    }

    /**
     * Stops the reply to a message, or drops it from the queue.
     *
     * @return whether a reply was stopped or dropped
     */
    boolean cancel(ConversationKey key, String messageId, String reason) {
        Lane lane = lanes.get(key);
        if (lane == null) {
            return false;
        }
        Job<S> running;
        synchronized (lane) {
            running = lane.running;
            if (running == null || !running.answers(messageId)) {
                boolean removed = lane.queue.removeIf(j -> j.answers(messageId));
                if (removed) {
                    waiting.decrementAndGet();
                }
                return removed;
            }
        }
        running.cancel(reason);
        return true;
    }

    /** Whether a message is waiting for or getting its reply now. */
    boolean busyWith(ConversationKey key, String messageId) {
        Lane lane = lanes.get(key);
        if (lane == null) {
            return false;
        }
        synchronized (lane) {
            return lane.holds(messageId);
        }
    }

    /** Called with the lane's lock held. */
    private void startNext(Lane lane) {
        Job<S> job = lane.queue.poll();
        if (job == null) {
            return;
        }
        waiting.decrementAndGet();
        answering.incrementAndGet();
        lane.running = job;
        workers.execute(() -> run(lane, job));
    }

    /** On a worker: the job's reply, once its message settled and the thread is ready for it. */
    private void run(Lane lane, Job<S> job) {
        if (shared.waits(job, () -> runAgain(lane, job)) || !shared.ready(lane, job)) {
            return;
        }
        CompletableFuture<Void> recorded;
        try {
            recorded = runner.run(job);
        } catch (RuntimeException e) {
            log.error("a reply in {} could not be run", job.message.key(), e);
            recorded = CompletableFuture.completedFuture(null);
        }
        recorded.whenComplete((ok, error) -> {
            if (error != null) {
                log.error("a reply in {} ended with an internal error", job.message.key(), error);
            }
            done(lane, job);
        });
    }

    /** After its message settled: the job runs again, still the lane's running job. */
    private void runAgain(Lane lane, Job<S> job) {
        try {
            workers.execute(() -> run(lane, job));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done(lane, job); // closing: the message stays stored unanswered for the next start
        }
    }

    private void done(Lane lane, Job<S> job) {
        answering.decrementAndGet();
        job.done.complete(null);
        synchronized (lane) {
            if (lane.running == job) {
                lane.running = null;
            }
            if (!closed) {
                startNext(lane);
            }
            retireIfIdle(lane);
        }
    }

    /** Called with the lane's lock held. */
    private void retireIfIdle(Lane lane) {
        if (lane.idle()) {
            lane.retired = true;
            lanes.remove(lane.key, lane);
            if (lane.leased) {
                release(lane.key);
            }
        }
    }

    /**
     * Takes no more jobs, lets the running ones finish for up to {@code drain}, then cancels the rest with
     * {@code reason} and waits a little for that to be shown and stored. Queued jobs are dropped.
     */
    void close(Duration drain, String reason) {
        closed = true;
        List<Job<S>> running = new ArrayList<>();
        for (Lane lane : lanes.values()) {
            synchronized (lane) {
                waiting.addAndGet(-lane.queue.size());
                lane.queue.clear();
                if (lane.running != null) {
                    running.add(lane.running);
                }
                retireIfIdle(lane); // its lease goes now: another node answers what was queued here at once
            }
        }
        if (!drain.isZero() && !running.isEmpty()) {
            log.info("waiting up to {} s for {} replies to finish", drain.toSeconds(), running.size());
            if (!await(running, drain)) {
                log.info("interrupting the replies still being written");
            }
        }
        running.forEach(job -> job.cancel(reason));
        // Let the interrupted replies say so and be stored, within reason.
        if (!await(running, Duration.ofSeconds(5))) {
            log.warn("{} replies were still finishing when the service stopped", running.stream()
                    .filter(j -> !j.done.isDone()).count());
        }
    }

    private void release(ConversationKey key) {
        try {
            shared.leases().release(key);
        } catch (RuntimeException e) {
            log.warn("could not give up the lease on {} ({}); it lapses on its own", key, e.toString());
        }
    }

    private static boolean await(List<? extends Job<?>> jobs, Duration within) {
        try {
            CompletableFuture.allOf(jobs.stream().map(j -> j.done).toArray(CompletableFuture[]::new))
                    .get(within.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** One thread's queue and the job running in it. Guarded by itself. */
    final class Lane implements SharedThreads.Queue<S> {
        private final ConversationKey key;
        private final java.util.LinkedList<Job<S>> queue = new java.util.LinkedList<>();
        private Job<S> running;
        private boolean retired;
        /** While earlier messages are taken up for it: they queue before this job. */
        private Job<S> before;
        /** This process took the thread's lease for the jobs in this lane; given up when the lane retires. */
        boolean leased;

        private Lane(ConversationKey key) {
            this.key = key;
        }

        boolean idle() {
            return running == null && queue.isEmpty();
        }

        /** Takes the queued job answering {@code messageId} out of the queue. @return it, or null */
        private Job<S> take(String messageId) {
            for (java.util.Iterator<Job<S>> it = queue.iterator(); it.hasNext(); ) {
                Job<S> queued = it.next();
                if (queued.answers(messageId)) {
                    it.remove();
                    return queued;
                }
            }
            return null;
        }

        boolean holds(String messageId) {
            return running != null && running.answers(messageId) || queue.stream().anyMatch(j -> j.answers(messageId));
        }

        @Override
        public void leave(Job<S> job) {
            List<Job<S>> dropped;
            synchronized (this) {
                if (running == job) {
                    running = null;
                }
                answering.decrementAndGet();
                dropped = new ArrayList<>(queue);
                waiting.addAndGet(-dropped.size());
                queue.clear();
                leased = false;
                retireIfIdle(this);
            }
            job.done.complete(null);
            dropped.forEach(j -> j.done.complete(null));
            log.info("{} is answered by another process now; its {} message(s) stay stored for it", key,
                    1 + dropped.size());
        }

        @Override
        public List<Turn> putBehind(Job<S> job, List<Turn> earlier) {
            List<Turn> missing = new ArrayList<>();
            synchronized (this) {
                running = null;
                answering.decrementAndGet();
                waiting.incrementAndGet();
                queue.addFirst(job);
                for (Turn turn : earlier.reversed()) {
                    Job<S> queued = take(turn.messageIds().getFirst());
                    if (queued != null) {
                        queue.addFirst(queued);
                    } else {
                        missing.addFirst(turn);
                    }
                }
                before = job;
            }
            return missing;
        }

        @Override
        public void resumed() {
            synchronized (this) {
                before = null;
                if (running == null && !closed) {
                    startNext(this);
                }
            }
        }

        /** Queues a job and starts it if the thread is idle. @return replies to finish before it starts */
        int enqueue(Job<S> job) {
            int at = before == null ? -1 : queue.indexOf(before);
            int ahead = (at < 0 ? queue.size() : at) + (running != null ? 1 : 0);
            if (at < 0) {
                queue.add(job);
            } else {
                queue.add(at, job);
            }
            waiting.incrementAndGet();
            if (running == null) {
                startNext(this);
            }
            return ahead;
        }
    }
}
