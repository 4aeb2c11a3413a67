package dev.switchboard.routing;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.conversation.UsageLedger;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One reply's run: walks the targets, one attempt at a time. All state is guarded by the run itself. */
final class ReplyRun implements ReplyHandle {

    private static final Logger log = LoggerFactory.getLogger(Router.class);

    /**
     * What a run needs of the router.
     *
     * @param providers the provider registry, read at each step (a reload applies to the next target)
     * @param options the routing options when the reply began
     * @param onFinish told once when the run ends, whatever the outcome
     */
    record Services(ProviderRegistry providers, RouterOptions options, RouterTime time,
                    Clock clock, MeterRegistry meters, ProviderStats stats, UsageLedger usage,
                    Consumer<ReplyRun> onFinish) { }

    private final Services services;
    private final ReplyRequest request;
    private final ReplyListener listener;
    private final TargetChoice choice;
    private final ReplyRecords records;
    private final String systemPrompt;
    private final CompletableFuture<ReplyOutcome> outcome = new CompletableFuture<>();
    private final long startNanos;
    private final Instant startedAt;
    private int chars;
    private Target currentTarget;
    private boolean finished;
    private Attempt current;
    private CompletableFuture<Attempt.Completion> execution;
    /** A try's place in line for a stream slot, while it waits; cancelled when the reply ends. */
    private CompletableFuture<StreamSlots.Slot> waitingForSlot;
    private TargetFailure pendingReset;
    private int promptMessages;
    private int omittedTurns;
    /** The reply's tool calls and results, carried from step to step and from target to target. */
    private final ToolLoop tools;
    private TokenUsage toolStepsUsage = TokenUsage.NONE;

    ReplyRun(Services services, ReplyRequest request, ReplyListener listener, List<Target> plan,
             String systemPrompt) {
        this(services, request, listener, plan, systemPrompt, null);
    }

    /** @param tools the reply's tool loop, or null when it may call none */
    ReplyRun(Services services, ReplyRequest request, ReplyListener listener, List<Target> plan,
             String systemPrompt, ToolLoop tools) {
        this.tools = tools;
        this.services = services;
        this.startedAt = services.clock().instant();
        this.startNanos = services.time().nanos();
        this.request = request;
        this.listener = listener;
        this.choice = new TargetChoice(services.providers(), request, plan);
        this.records = new ReplyRecords(services, request);
        this.systemPrompt = systemPrompt;
    }

    synchronized void advance() {
        TargetChoice.Next step = finished ? null : choice.next();
        if (step != null) {
            launch(step.target(), step.provider());
            return;
        }
        finish(new ReplyOutcome.Failed(UserMessages.allFailed(choice.failures()), choice.failures()));
    }

    private void launch(Target target, ProviderState provider) {
        int window = ContextWindows.of(target.model(), provider.config.contextWindows());
        double factor = choice.budgetFactor(target);
        PromptBuilder.Prompt prompt = PromptBuilder.build(systemPrompt, request.history(), window, factor,
                new AttachmentContent.Media(provider.config.api(), TargetChoice.capabilities(target, provider),
                        request.blobs()));
        omittedTurns = prompt.omittedTurns();
        promptMessages = prompt.messages().size();
        ChatRequest chat = tools == null ? ChatRequest.builder().messages(prompt.messages()).build()
                : tools.request(prompt.messages());
        AtomicInteger tries = new AtomicInteger();
        CompletableFuture<Attempt.Completion> run = Failsafe.with(provider.retry).with(services.time())
                .getStageAsync(() -> withSlot(provider, () -> tryOnce(target, provider, chat, tries)));
        execution = run;
        run.whenComplete((completion, error) -> settle(target, provider, run, completion, error));
    }

    /**
     * Runs a try once it has one of the provider's stream slots: at once when one is free, else when one frees, oldest
     * waiting first. It waits no longer than the provider's first-token deadline, then fails with
     * {@link StreamSlots.Full} (the route moves on); the try's own deadlines start when it has its slot.
     */
    private CompletableFuture<Attempt.Completion> withSlot(ProviderState provider,
                                                           Supplier<CompletableFuture<Attempt.Completion>> tryOnce) {
        CompletableFuture<StreamSlots.Slot> slot = provider.slots.take(provider.config.deadlines().firstToken());
        synchronized (this) {
            if (finished) {
                slot.cancel(false);
            }
            waitingForSlot = slot.isDone() ? null : slot;
        }
        return slot.thenCompose(held -> {
            CompletableFuture<Attempt.Completion> tried;
            try {
                tried = tryOnce.get();
            } catch (RuntimeException e) {
                tried = CompletableFuture.failedFuture(e);
            }
            return tried.whenComplete((c, e) -> held.release());
        });
    }

    private CompletableFuture<Attempt.Completion> tryOnce(Target target, ProviderState provider, ChatRequest chat,
                                                          AtomicInteger tries) {
        var model = provider.model(target.model());
        Attempt attempt;
        synchronized (this) {
            waitingForSlot = null;
            if (finished) {
                throw new CancellationException("reply already ended");
            }
            if (!provider.breaker.tryAcquirePermit()) {
                throw new CircuitBreakerOpenException(provider.breaker);
            }
            // Only now is it sure this target is asked: tell the listener to drop the partial text.
            if (pendingReset != null) {
                TargetFailure reset = pendingReset;
                pendingReset = null;
                notify(() -> listener.onReset(reset.target(), reset.failure(), target));
            }
            records.attempt(target);
            int attemptNumber = tries.incrementAndGet();
            notify(() -> listener.onAttempt(target, attemptNumber));
            attempt = new Attempt(this, model, chat, provider.config.deadlines(), services.time(), this::accept);
            current = attempt;
            currentTarget = target;
            chars = 0;
        }
        long asked = services.time().nanos();
        return attempt.start().whenComplete((c, e) -> {
            provider.recordOutcome(e);
            records.tried(provider, asked, c, e);
        });
    }

    /** A listener's own failure must not be blamed on the provider. */
    private void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.error("a reply listener failed {}", kv("conversation", request.key()), e);
        }
    }

    /** Tokens from the attempt in charge go to the listener; any other attempt's are refused. */
    private boolean accept(Attempt attempt, String text) {
        if (finished || attempt != current) {
            return false;
        }
        String shown = tools == null ? text : tools.separated(text);
        chars += shown.length();
        notify(() -> listener.onToken(shown));
        return true;
    }

    private synchronized void settle(Target target, ProviderState provider,
                                     CompletableFuture<Attempt.Completion> run, Attempt.Completion completion,
                                     Throwable error) {
        if (finished || run != execution) {
            return;
        }
        if (error == null) {
            complete(target, provider, completion);
            return;
        }
        AttemptError failed = AttemptError.of(error);
        if (failed == null) {
            return;
        }
        Failure failure = failed.failure();
        boolean shown = failed.tokensShown();
        choice.failed(new TargetFailure(target, failure), false);
        if (!(failure instanceof Failure.Unavailable)) {
            provider.record(failure); // an open breaker is our skip, not news about the provider
        }
        records.attemptFailed(target, failure, shown);
        switch (failure) {
            case Failure.BadRequest bad -> {
                finish(new ReplyOutcome.Failed(UserMessages.badRequest(), choice.failures()));
                return;
            }
            case Failure.ContentFiltered filtered when services.options().stopOnContentFilter() -> {
                finish(new ReplyOutcome.Failed(UserMessages.contentFiltered(), choice.failures()));
                return;
            }
            case Failure.ContextTooLong tooLong ->
                    choice.retryTrimmedIfNoLargerWindow(target, provider, promptMessages);
            default -> { }
        }
        if (shown) {
            if (!services.options().midStreamFallback()) {
                finish(new ReplyOutcome.Failed(UserMessages.allFailed(choice.failures()), choice.failures()));
                return;
            }
            pendingReset = new TargetFailure(target, failure);
            if (tools != null) {
                tools.textDiscarded();
            }
        }
        advance();
    }

    private void complete(Target target, ProviderState provider, Attempt.Completion step) {
        if (tools != null && tools.wantsTools(step.message()) && !tools.exhausted()) {
            toolStepsUsage = sum(toolStepsUsage, step.usage());
            tools.run(step.message(), step.text(), this::toolStatus, listener::onApprovalNeeded)
                    .whenComplete((ok, error) -> nextStep(target, provider, error));
            return;
        }
        Attempt.Completion completion = tools == null ? step : new Attempt.Completion(
                tools.earlierText() + step.text(), sum(toolStepsUsage, step.usage()), step.firstTokenNanos(),
                step.message());
        ReplyRecords.Measured measured = records.measure(target, provider, completion, startNanos);
        String text = AttachmentNotes.under(completion.text(), request.history(),
                TargetChoice.capabilities(target, provider).vision());
        ReplyOutcome.Completed done = new ReplyOutcome.Completed(text, target, choice.failures(),
                completion.usage(), measured.firstToken(), measured.latency(), omittedTurns, measured.cost(),
                tools == null ? List.of() : tools.record());
        records.completed(done, choice, tools == null ? 0 : tools.steps());
        finish(done);
    }

    /** The step's tools have their results: the same target goes on, unless the reply ended meanwhile. */
    private synchronized void nextStep(Target target, ProviderState provider, Throwable error) {
        if (finished) {
            return;
        }
        if (error != null) {
            log.error("the tool loop failed {}", kv("conversation", request.key()), error);
            finish(new ReplyOutcome.Failed(UserMessages.allFailed(choice.failures()), choice.failures()));
            return;
        }
        launch(target, provider);
    }

    private static TokenUsage sum(TokenUsage a, TokenUsage b) {
        return new TokenUsage(a.input() + b.input(), a.output() + b.output());
    }

    private void toolStatus(ToolStatus status) {
        synchronized (this) {
            if (!finished) {
                notify(() -> listener.onToolStatus(status));
            }
        }
    }

    /** What the status page shows of a reply in flight. */
    synchronized Router.Active snapshot() {
        return new Router.Active(request.key().toString(), currentTarget == null ? null : currentTarget.id(), startedAt,
                chars, request.channelName());
    }

    private void finish(ReplyOutcome result) {
        if (finished) {
            return;
        }
        finished = true;
        records.finished(result, choice);
        services.onFinish().accept(this);
        try {
            notify(() -> listener.onDone(result));
        } finally {
            outcome.complete(result);
        }
    }

    @Override
    public void cancel(String reason) {
        Attempt attempt;
        CompletableFuture<StreamSlots.Slot> slot;
        synchronized (this) {
            if (finished) {
                return;
            }
            attempt = current;
            slot = waitingForSlot;
            finish(new ReplyOutcome.Cancelled(reason));
            if (tools != null) {
                tools.cancel();
            }
        }
        // The Failsafe run is left to end on its own. A try waiting for a stream slot leaves the line; one whose
        // slot is on its way sees the reply finished and hands the slot on.
        if (slot != null) {
            slot.cancel(false);
        }
        if (attempt != null) {
            attempt.cancel();
        }
    }

    @Override
    public CompletableFuture<ReplyOutcome> outcome() {
        return outcome;
    }
}
