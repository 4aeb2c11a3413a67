package dev.switchboard;

import dev.switchboard.answering.ReplyStarter;
import dev.switchboard.answering.ThreadModels;
import dev.switchboard.answering.ThreadSummaries;
import dev.switchboard.conversation.AssistantMeta;
import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.live.FencedSink;
import dev.switchboard.live.Live;
import dev.switchboard.live.LiveReplies;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.live.ResumingSink;
import dev.switchboard.live.SideBySide;
import dev.switchboard.routing.ReplyHandle;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.ReplyRequest;
import dev.switchboard.routing.Router;
import dev.switchboard.routing.TargetFailure;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chat's {@link ReplyStarter} over the router and the live reply engine: the router writes the answer, the engine
 * shows it on the adapter's {@link ReplySurface}, taking over an interrupted try's messages. Thread-safe.
 */
public final class RoutedReplies implements ReplyStarter<ReplySurface> {

    private static final Logger log = LoggerFactory.getLogger(RoutedReplies.class);

    private final Router router;
    private final LiveReplies live;
    private final ThreadModels threadModels;
    private final CompareReplies compare;
    private final ThreadSummaries summaries;

    public RoutedReplies(Router router, LiveReplies live) {
        this(router, live, null, null, java.time.Clock.systemUTC(), null);
    }

    /** @param summaries asked for a summary when an answer's prompt left older turns out; null for none */
    public RoutedReplies(Router router, LiveReplies live, ThreadSummaries summaries) {
        this(router, live, null, null, java.time.Clock.systemUTC(), summaries);
    }

    /**
     * @param threadModels users' model choices per thread ({@code /model}); null: none are looked up
     * @param store where a comparison's later answers are stored; null: comparisons are not offered
     * @param summaries asked for a summary when an answer's prompt left older turns out; null for none
     */
    public RoutedReplies(Router router, LiveReplies live, ThreadModels threadModels,
                         dev.switchboard.conversation.ConversationStore store, java.time.Clock clock,
                         ThreadSummaries summaries) {
        this.router = router;
        this.live = live;
        this.threadModels = threadModels;
        this.compare = store == null ? null : new CompareReplies(router, live, store, clock);
        this.summaries = summaries;
    }

    @Override
    public StartedReply start(AnswerRequest request, ReplySurface surface, Resume resume, boolean footerOnFallback) {
        if (surface instanceof SideBySide compared && compare != null) {
            return compare.start(request, compared, resume);
        }
        ResumingSink sink = resuming(surface, resume);
        Live reply = live.start(sink, surface.spending(), footerOnFallback);
        try {
            surface.working();
            ReplyHandle handle = router.reply(new ReplyRequest(request.key(), request.history(), request.userName(),
                    request.channelName(), request.viewingChannel(), request.context(),
                    UserChoice.inThread(threadModels, request), null, request.blobs()), reply);
            reply.attach(handle);
            handle.outcome().thenAccept(o -> RoutedSummaries.afterReply(summaries, request.key(), request.history(), o));
            return new Shown(surface, sink, reply, handle, handle.outcome(), resume);
        } catch (RuntimeException e) {
            log.error("could not start the reply in {}", request.key(), e);
            return failed(surface, sink, reply, COULD_NOT_START, resume);
        }
    }

    @Override
    public StartedReply fail(ReplySurface surface, Resume resume, String userMessage) {
        ResumingSink sink = resuming(surface, resume);
        return failed(surface, sink, live.start(sink, surface.spending(), false), userMessage, resume);
    }

    @Override
    public void withdrawn(ReplySurface surface, String reason) {
        surface.finished(new ReplyOutcome.Cancelled(reason), List.of());
    }

    private static ResumingSink resuming(ReplySurface surface, Resume resume) {
        return new ResumingSink(new FencedSink(surface.sink(), resume.mayWrite()), resume.earlier(), resume.remember(),
                resume.io());
    }

    private static StartedReply failed(ReplySurface surface, ResumingSink sink, Live reply,
                                       String userMessage, Resume resume) {
        ReplyOutcome failed = new ReplyOutcome.Failed(userMessage, List.of());
        reply.onDone(failed);
        return new Shown(surface, sink, reply, null, CompletableFuture.completedFuture(failed), resume);
    }

    /** How an answer is stored: who answered, what failed first, tokens and timings. */
    static AssistantMeta meta(ReplyOutcome outcome) {
        return switch (outcome) {
            case ReplyOutcome.Completed c -> new AssistantMeta(c.target().provider(), c.target().model(),
                    names(c.failures()), c.usage(), c.firstToken(), c.latency());
            case ReplyOutcome.Failed f -> new AssistantMeta("", "", names(f.failures()), TokenUsage.NONE,
                    Duration.ZERO, Duration.ZERO);
            case ReplyOutcome.Cancelled c -> new AssistantMeta("", "", List.of(), TokenUsage.NONE, Duration.ZERO,
                    Duration.ZERO);
        };
    }

    private static List<String> names(List<TargetFailure> failures) {
        return failures.stream().map(f -> f.target().provider() + "/" + f.target().model()).toList();
    }

    /** One reply on its surface; {@code handle} is null for a reply that only shows a failure. */
    private static final class Shown implements StartedReply {
        private final ReplySurface surface;
        private final ResumingSink sink;
        private final ReplyHandle handle;
        private final CompletableFuture<Answer> answered;
        private volatile ReplyOutcome outcome;
        private volatile List<String> ids = List.of();

        Shown(ReplySurface surface, ResumingSink sink, Live reply, ReplyHandle handle,
              CompletableFuture<ReplyOutcome> outcome, Resume resume) {
            this.surface = surface;
            this.sink = sink;
            this.handle = handle;
            CompletableFuture<List<String>> shown = reply.settled().handle((ids, error) -> ids == null
                    ? List.<String>of() : ids);
            // Off the engine's and the router's threads: their callbacks may fire inside their locks.
            this.answered = outcome.thenCombineAsync(shown, (o, ids) -> {
                this.outcome = o;
                this.ids = ids;
                return new Answer(reply.storedText(), ids, meta(o), ToolTurns.of(o));
            }, resume.io());
        }

        @Override
        public void cancel(String reason) {
            if (handle != null) {
                handle.cancel(SHUTDOWN.equals(reason) ? LiveReplies.SHUTDOWN : reason);
            }
        }

        @Override
        public CompletableFuture<Answer> answered() {
            return answered;
        }

        @Override
        public void finish() {
            try {
                surface.finished(outcome, ids);
            } catch (RuntimeException e) {
                log.warn("finishing a reply failed: {}", e.toString());
            }
            // The earlier try's messages this one did not need go.
            for (String stale : sink.leftovers()) {
                surface.sink().delete(stale);
            }
        }
    }
}
