package dev.switchboard;

import dev.switchboard.answering.ReplyStarter.Answer;
import dev.switchboard.answering.ReplyStarter.AnswerRequest;
import dev.switchboard.answering.ReplyStarter.Resume;
import dev.switchboard.answering.ReplyStarter.StartedReply;
import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.Turn;
import dev.switchboard.live.Live;
import dev.switchboard.live.LiveReplies;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.live.ResumingSink;
import dev.switchboard.live.SideBySide;
import dev.switchboard.routing.ReplyHandle;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.ReplyRequest;
import dev.switchboard.routing.Router;
import dev.switchboard.routing.Target;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A comparison: the same question to two or three models at once, each answer streamed into its own messages through
 * the live engine (within the thread's budgets) with a footer of its own ({@link CompareFooter}), and no fallback
 * between them: a model that fails says so in its message, the others finish. The first listed model's answer is the
 * reply the use case stores; the others are stored right after it as assistant turns answering the same message, in
 * listed order, so a follow-up in the thread sees every answer, the first model's first. Each answer ends through its
 * side's {@link ReplySurface#finished}, the platform's common finishing path. Thread-safe.
 */
final class CompareReplies {

    private static final Logger log = LoggerFactory.getLogger(CompareReplies.class);
    private static final String COULD_NOT_START = "Something went wrong on my side before this model could answer.";

    private final Router router;
    private final LiveReplies live;
    private final ConversationStore store;
    private final Clock clock;

    CompareReplies(Router router, LiveReplies live, ConversationStore store, Clock clock) {
        this.router = router;
        this.live = live;
        this.store = store;
        this.clock = clock;
    }

    StartedReply start(AnswerRequest request, SideBySide compared, Resume resume) {
        List<Side> sides = new ArrayList<>();
        compared.working();
        CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
        for (int i = 0; i < compared.models().size(); i++) {
            String id = compared.models().get(i);
            ReplySurface surface = compared.side(i);
            InOrderSink inOrder = new InOrderSink(surface.sink(), previous);
            previous = inOrder.firstPosted();
            // Only the first answer's messages are noted for a restart to take over; the others start afresh.
            ResumingSink sink = i == 0 ? new ResumingSink(inOrder, resume.earlier(), resume.remember(),
                    resume.io()) : new ResumingSink(inOrder, List.of(), shown -> { }, resume.io());
            Live reply = live.start(sink, surface.spending(), CompareFooter.of(id));
            ReplyHandle handle = null;
            CompletableFuture<ReplyOutcome> outcome;
            try {
                int slash = id.indexOf('/');
                Target target = new Target(id.substring(0, slash), id.substring(slash + 1), 0, 1);
                handle = router.reply(new ReplyRequest(request.key(), request.history(), request.userName(),
                        request.channelName(), request.viewingChannel(), request.context(), null, target,
                        request.blobs()), reply);
                reply.attach(handle);
                outcome = handle.outcome();
            } catch (RuntimeException e) {
                log.error("could not start {} in a comparison in {}", id, request.key(), e);
                ReplyOutcome failed = new ReplyOutcome.Failed(COULD_NOT_START, List.of());
                reply.onDone(failed);
                outcome = CompletableFuture.completedFuture(failed);
            }
            sides.add(new Side(surface, sink, reply, handle, outcome));
        }
        return new Compared(request, compared, sides, resume);
    }

    /** One model's answer on its side. */
    private static final class Side {
        final ReplySurface surface;
        final ResumingSink sink;
        final ReplyHandle handle;
        final CompletableFuture<ReplyOutcome> outcome;
        final CompletableFuture<List<String>> shown;
        final Live reply;

        Side(ReplySurface surface, ResumingSink sink, Live reply, ReplyHandle handle,
             CompletableFuture<ReplyOutcome> outcome) {
            this.surface = surface;
            this.sink = sink;
            this.reply = reply;
            this.handle = handle;
            this.outcome = outcome;
            this.shown = reply.settled().handle((ids, error) -> ids == null ? List.<String>of() : ids);
        }

        Answer answer() {
            return new Answer(reply.storedText(), shown.join(), RoutedReplies.meta(outcome.join()));
        }
    }

    /** Every side at once, answered when all ended; the first is the reply stored by the use case. */
    private final class Compared implements StartedReply {
        private final AnswerRequest request;
        private final SideBySide compared;
        private final List<Side> sides;
        private final CompletableFuture<Answer> answered;

        Compared(AnswerRequest request, SideBySide compared, List<Side> sides, Resume resume) {
            this.request = request;
            this.compared = compared;
            this.sides = sides;
            List<CompletableFuture<?>> all = new ArrayList<>();
            sides.forEach(s -> {
                all.add(s.outcome);
                all.add(s.shown);
            });
            // Off the engine's and the router's threads: their callbacks may fire inside their locks.
            this.answered = CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .handleAsync((ok, error) -> sides.getFirst().answer(), resume.io());
        }

        @Override
        public void cancel(String reason) {
            for (Side s : sides) {
                if (s.handle != null) {
                    s.handle.cancel(SHUTDOWN.equals(reason) ? LiveReplies.SHUTDOWN : reason);
                }
            }
        }

        @Override
        public CompletableFuture<Answer> answered() {
            return answered;
        }

        @Override
        public void finish() {
            for (int i = 0; i < sides.size(); i++) {
                Side s = sides.get(i);
                if (i > 0) {
                    storeBeside(s.answer());
                }
                try {
                    s.surface.finished(s.outcome.join(), s.shown.join());
                } catch (RuntimeException e) {
                    log.warn("finishing a compared answer failed: {}", e.toString());
                }
                // An earlier try's messages this one did not need go.
                for (String stale : s.sink.leftovers()) {
                    s.surface.sink().delete(stale);
                }
            }
            try {
                compared.finished(sides.getFirst().outcome.join(), sides.getFirst().shown.join());
            } catch (RuntimeException e) {
                log.warn("finishing a comparison failed: {}", e.toString());
            }
        }

        /** Stores a later model's answer after the first one, answering the same message. */
        private void storeBeside(Answer answer) {
            List<String> asked = request.history().getLast().messageIds();
            AssistantMeta m = answer.meta();
            AssistantMeta meta = new AssistantMeta(m.provider(), m.model(), m.fallbacks(), m.usage(), m.firstToken(),
                    m.latency(), asked.isEmpty() ? "" : asked.getFirst());
            try {
                store.append(request.key(), Turn.assistant(compared.botId(), answer.text(), clock.instant(),
                        answer.messageIds(), meta));
            } catch (RuntimeException e) {
                // Shown but not kept (the store is away): a follow-up sees the answers that were stored.
                log.warn("a compared answer in {} could not be stored: {}", request.key(), e.toString());
            }
        }
    }
}
