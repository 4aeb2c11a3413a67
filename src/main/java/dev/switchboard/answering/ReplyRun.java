package dev.switchboard.answering;

import dev.switchboard.answering.ReplyStarter.Answer;
import dev.switchboard.answering.ReplyStarter.AnswerRequest;
import dev.switchboard.answering.ReplyStarter.Resume;
import dev.switchboard.answering.ReplyStarter.StartedReply;
import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.Blobs;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.LeaseLostException;
import dev.switchboard.conversation.LeaseToken;
import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.conversation.Turn;
import dev.switchboard.conversation.TurnRejectedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one reply and records it: rebuilds a thread the store does not know from the platform, starts the answer with
 * the thread's history, and stores the text the user ends up seeing as the assistant's turn, stamped with the reply's
 * start so it sits right after the message it answers. Thread-safe.
 *
 * @param <S> where the platform shows the reply
 */
final class ReplyRun<S> implements ThreadQueues.Runner<S> {

    private static final Logger log = LoggerFactory.getLogger(ReplyRun.class);

    private final ConversationStore store;
    private final ReplyStarter<S> starter;
    private final Clock clock;
    private final Executor workers;
    private final StoreRetry retry;
    final StoredFiles files;

    /** @param retry how an answer is stored while the store is away for a while */
    ReplyRun(ConversationStore store, ReplyStarter<S> starter, Clock clock, Executor workers, StoreRetry retry) {
        this.store = store;
        this.starter = starter;
        this.clock = clock;
        this.workers = workers;
        this.retry = retry;
        this.files = new StoredFiles(store);
    }

    /** Where the platform ids of a reply's messages are kept while it is written, by the message it answers. */
    static String shownFor(String messageId) {
        return "shown_for." + messageId;
    }

    @Override
    public CompletableFuture<Void> run(Job<S> job) {
        Instant started = clock.instant();
        String cancelled = job.cancelledBeforeStart();
        if (cancelled != null) {
            // Superseded or withdrawn before it began: nothing is shown, and the message counts as handled.
            CompletableFuture<Boolean> stored = store(job, "", List.of(), meta(job, new AssistantMeta("", "",
                    List.of(), TokenUsage.NONE, Duration.ZERO, Duration.ZERO)), started, List.of());
            try {
                starter.withdrawn(job.thread.surface(), cancelled);
            } catch (RuntimeException e) {
                log.warn("finishing the reply in {} failed: {}", job.message.key(), e.toString());
            }
            return stored.thenApply(ok -> null);
        }
        StartedReply reply;
        try {
            if (job.rebuild) {
                rebuild(job);
            }
            Blobs blobs = files.read(job.message);
            Conversation conversation = store.load(job.message.key())
                    .orElseThrow(() -> new IllegalStateException("the thread vanished from the store"));
            ThreadContext context = context(job);
            String viewing = viewingChannel(job);
            if (viewing.isEmpty()) {
                viewing = conversation.metadata().getOrDefault(ThreadContext.VIEWING_CHANNEL_NAME_NOTE, "");
            }
            AnswerRequest request = new AnswerRequest(job.message.key(), History.forPrompt(conversation,
                    job.message.messageId()), job.message.authorName(), job.message.channelName(), viewing,
                    context instanceof ThreadContext.Extra extra ? extra.text() : "", blobs);
            reply = context instanceof ThreadContext.Refuse refuse
                    ? starter.fail(job.thread.surface(), resume(job, conversation), refuse.line())
                    : starter.start(request, job.thread.surface(), resume(job, conversation),
                            job.policy.fallbackFooter());
            job.started(reply);
        } catch (RuntimeException e) {
            log.error("could not start the reply in {}", job.message.key(), e);
            // The user still gets one line in the thread, and the status and placeholder are cleared.
            reply = starter.fail(job.thread.surface(), resume(job, null), ReplyStarter.COULD_NOT_START);
        }
        StartedReply shown = reply;
        // On a worker: the answer may complete inside the live engine's lock, and recording takes others. The thread's
        // next message waits until the answer is stored (or storing it gave up), so it is in that reply's history.
        return shown.answered().thenComposeAsync(answer -> record(job, shown, answer, started), workers);
    }

    /**
     * How an earlier try at this answer, killed with the process, is taken over: its messages from the store's note,
     * and the note kept up to date with every message this try shows.
     */
    private Resume resume(Job<S> job, Conversation conversation) {
        String name = shownFor(job.message.messageId());
        String earlier = conversation == null ? null : conversation.metadata().get(name);
        List<String> ids = earlier == null || earlier.isEmpty() ? List.of() : List.of(earlier.split(","));
        if (earlier == null && conversation != null && job.interrupted) {
            ids = shownUnnoted(job, name);
        }
        if (!ids.isEmpty()) {
            log.info("continuing an interrupted reply in {} in its {} message(s)", job.message.key(), ids.size());
        }
        return new Resume(ids, shown -> {
            try {
                store.putMetadata(job.message.key(), name, String.join(",", shown));
            } catch (RuntimeException e) {
                // Only the clean-up after a crash depends on it; the reply itself goes on.
                log.warn("could not note a reply's message in {}: {}", job.message.key(), e.toString());
            }
        }, workers, job.held.mayWrite());
    }

    /**
     * The messages an interrupted try showed that the store never heard of, as the platform has them; noted at once,
     * so a second stop before this try shows anything still finds them. Empty when there are none or they cannot be
     * asked for.
     */
    private List<String> shownUnnoted(Job<S> job, String name) {
        try {
            List<String> shown = List.copyOf(job.thread.shownUnnoted());
            if (!shown.isEmpty()) {
                store.putMetadata(job.message.key(), name, String.join(",", shown));
                log.info("{} message(s) of an interrupted reply in {} were found on the platform", shown.size(),
                        job.message.key());
            }
            return shown;
        } catch (RuntimeException e) {
            log.warn("could not look for an interrupted reply's messages in {} ({}); answering afresh",
                    job.message.key(), e.toString());
            return List.of();
        }
    }

    private static String viewingChannel(Job<?> job) {
        try {
            String name = job.thread.viewingChannel();
            return name == null ? "" : name;
        } catch (RuntimeException e) {
            log.warn("could not tell which channel the user of {} looks at: {}", job.message.key(), e.toString());
            return "";
        }
    }

    private static ThreadContext context(Job<?> job) {
        try {
            return job.thread.context();
        } catch (RuntimeException e) {
            log.warn("could not gather what the answer in {} needs beyond the thread; answering without it: {}",
                    job.message.key(), e.toString());
            return ThreadContext.NONE;
        }
    }

    private void rebuild(Job<S> job) {
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

    private CompletableFuture<Void> record(Job<S> job, StartedReply reply, Answer answer, Instant started) {
        return store(job, answer.text(), answer.messageIds(), meta(job, answer.meta()), started,
                answer.toolTurns()).thenAccept(stored -> {
            if (job.leaseLost) {
                return; // another process answers the thread now: this one writes nothing more
            }
            // Finished stored or not: unstored, the message stays unanswered with its note of the messages shown, and
            // the next start takes the shown reply over.
            reply.finish();
        });
    }

    /** Stores the answer, trying again while the store is away. @return whether it is stored; never fails */
    private CompletableFuture<Boolean> store(Job<S> job, String text, List<String> ids, AssistantMeta meta,
                                             Instant started, List<Turn> toolTurns) {
        // Stamped with the start of the reply: the answer belongs right after the message it answers.
        Turn turn = Turn.assistant(job.policy.botId(), text, started, ids, meta);
        java.util.concurrent.atomic.AtomicInteger toolsStored = new java.util.concurrent.atomic.AtomicInteger();
        LeaseToken lease = job.held.token();
        return retry.answer(job.message.key(), job.message.messageId(), () -> {
            try {
                // The tool calls go first, each once even when the answer's store is tried again.
                for (int i = toolsStored.get(); i < toolTurns.size(); i++) {
                    Turn tool = toolTurns.get(i);
                    append(job, new Turn(tool.role(), tool.authorId(), tool.authorName(), tool.text(), started,
                            tool.messageIds(), null), lease);
                    toolsStored.incrementAndGet();
                }
                // The note of the messages this reply showed goes in the same write: the reply is whole.
                store.appendAnswer(job.message.key(), turn, lease, shownFor(job.message.messageId()));
            } catch (LeaseLostException e) {
                job.leaseLost = true;
                throw e;
            }
        });
    }

    /** Appends under the reply's lease when the thread is shared: a stale process's write is refused. */
    private void append(Job<S> job, Turn turn, LeaseToken lease) {
        if (lease == null) {
            store.append(job.message.key(), turn);
        } else {
            store.append(job.message.key(), turn, lease);
        }
    }

    /** The meta of the answer, naming the message it answers. */
    private static AssistantMeta meta(Job<?> job, AssistantMeta m) {
        return new AssistantMeta(m.provider(), m.model(), m.fallbacks(), m.usage(), m.firstToken(), m.latency(),
                job.message.messageId());
    }
}
