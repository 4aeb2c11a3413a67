package dev.switchboard.routing;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.conversation.UsageRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
    private final List<Target> plan;
    private final String systemPrompt;
    private final List<TargetFailure> failures = new ArrayList<>();
    private boolean news;
    private final CompletableFuture<ReplyOutcome> outcome = new CompletableFuture<>();
    private final long startNanos;
    private final Instant startedAt;
    private int chars;
    private Target currentTarget;
    private int next;
    private boolean finished;
    private Attempt current;
    private CompletableFuture<Attempt.Completion> execution;
    /** A try's place in line for a stream slot, while it waits; cancelled when the reply ends. */
    private CompletableFuture<StreamSlots.Slot> waitingForSlot;
    private TargetFailure pendingReset;
    private double budgetFactor = 1.0;
    private Target trimmedFor;
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
        this.plan = new ArrayList<>(plan);
        this.systemPrompt = systemPrompt;
    }

    synchronized void advance() {
        while (!finished && next < plan.size()) {
            Target target = plan.get(next++);
            ProviderState provider = services.providers().get(target.provider());
            if (provider == null) {
                failed(new TargetFailure(target, new Failure.Unavailable("not configured")), false);
                continue;
            }
            Availability availability = provider.availability();
            if (availability.marked()) {
                failed(new TargetFailure(target, new Failure.Unavailable(availability.reason())),
                        availability.deliberate());
                continue;
            }
            if (cannotSeeImages(target, provider) && laterOneSees()) {
                failed(new TargetFailure(target, new Failure.Unavailable(AttachmentNotes.NO_VISION)), false);
                continue;
            }
            launch(target, provider);
            return;
        }
        finish(new ReplyOutcome.Failed(UserMessages.allFailed(failures), failures));
    }

    /** Whether the message answered has images this target would not see. */
    private boolean cannotSeeImages(Target target, ProviderState provider) {
        return AttachmentNotes.hasImages(request.history()) && !capabilities(target, provider).vision();
    }

    /** Whether a target later in the plan sees images: only then is one that does not passed over. */
    private boolean laterOneSees() {
        return plan.subList(next, plan.size()).stream().anyMatch(t -> {
            ProviderState p = services.providers().get(t.provider());
            return p != null && !p.availability().marked() && capabilities(t, p).vision();
        });
    }

    private static ModelCapabilities.Capabilities capabilities(Target target, ProviderState provider) {
        return ModelCapabilities.of(provider.config.api(), target.model(), provider.config.capabilities());
    }

    private void launch(Target target, ProviderState provider) {
        int window = ContextWindows.of(target.model(), provider.config.contextWindows());
        double factor = target.equals(trimmedFor) ? budgetFactor : 1.0;
        PromptBuilder.Prompt prompt = PromptBuilder.build(systemPrompt, request.history(), window, factor,
                new AttachmentContent.Media(provider.config.api(), capabilities(target, provider), request.blobs()));
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
            counter("switchboard.provider.attempts", target).increment();
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
            recordTry(provider, asked, c, e);
        });
    }

    /** The try's outcome for the last-hour statistics; cancelled tries and our own mistakes say nothing. */
    private void recordTry(ProviderState provider, long asked, Attempt.Completion completion, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                : error;
        if (cause == null) {
            // An answer without any text has no first token: it counts as a try, not as a latency.
            services.stats().succeeded(provider.name, completion.firstTokenNanos() == 0 ? null
                    : Duration.ofNanos(Math.max(0, completion.firstTokenNanos() - asked)));
        } else if (cause instanceof Attempt.Failed failed && failed.failure.countsAgainstProvider()) {
            services.stats().failed(provider.name);
        }
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
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof CancellationException) {
            return;
        }
        boolean shown = false;
        Failure failure;
        if (cause instanceof Attempt.Failed failed) {
            failure = failed.failure;
            shown = failed.tokensShown;
        } else if (cause instanceof CircuitBreakerOpenException) {
            failure = new Failure.Unavailable("circuit breaker open");
        } else if (cause instanceof StreamSlots.Full) {
            failure = new Failure.Busy();
        } else {
            failure = FailureClassifier.classify(cause, 0, null);
        }
        failed(new TargetFailure(target, failure), false);
        if (!(failure instanceof Failure.Unavailable)) {
            provider.record(failure); // an open breaker is our skip, not news about the provider
        }
        Counter.builder("switchboard.provider.failures").tag("provider", target.provider())
                .tag("class", failure.label()).register(services.meters()).increment();
        log.info("attempt failed {} {} {} {}", kv("provider", target.provider()), kv("model", target.model()),
                kv("failure", failure.label()), kv("tokens_shown", shown));
        switch (failure) {
            case Failure.BadRequest bad -> {
                log.error("provider rejected our request as malformed; this is a Switchboard bug {} {} {}",
                        kv("provider", target.provider()), kv("model", target.model()), kv("detail", bad.detail()));
                finish(new ReplyOutcome.Failed(UserMessages.badRequest(), failures));
                return;
            }
            case Failure.ContentFiltered filtered when services.options().stopOnContentFilter() -> {
                finish(new ReplyOutcome.Failed(UserMessages.contentFiltered(), failures));
                return;
            }
            case Failure.ContextTooLong tooLong -> retryTrimmedIfNoLargerWindow(target, provider);
            default -> { }
        }
        if (shown) {
            if (!services.options().midStreamFallback()) {
                finish(new ReplyOutcome.Failed(UserMessages.allFailed(failures), failures));
                return;
            }
            pendingReset = new TargetFailure(target, failure);
            if (tools != null) {
                tools.textDiscarded();
            }
        }
        advance();
    }

    /**
     * Go to a usable target with a larger window; if none is left, try this one again with half the history, as
     * long as there is history left to drop. The smaller budget applies to this target only.
     */
    private void retryTrimmedIfNoLargerWindow(Target target, ProviderState provider) {
        int window = ContextWindows.of(target.model(), provider.config.contextWindows());
        boolean larger = plan.subList(next, plan.size()).stream().anyMatch(t -> {
            ProviderState p = services.providers().get(t.provider());
            return p != null && !p.availability().marked()
                    && ContextWindows.of(t.model(), p.config.contextWindows()) > window;
        });
        double factor = target.equals(trimmedFor) ? budgetFactor : 1.0;
        boolean historyLeft = promptMessages > 2; // more than the system prompt and the question
        if (!larger && historyLeft && factor > 0.2) {
            trimmedFor = target;
            budgetFactor = factor / 2;
            plan.add(next, target);
        }
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
        RouterOptions.Price price = provider.config.prices().get(target.model());
        double cost = price == null ? 0 : (completion.usage().input() * price.input()
                + completion.usage().output() * price.output()) / 1_000_000;
        Duration firstToken = Duration.ofNanos(Math.max(0, completion.firstTokenNanos() - startNanos));
        Duration latency = Duration.ofNanos(services.time().nanos() - startNanos);
        Timer.builder("switchboard.reply.first_token").tag("provider", target.provider())
                .publishPercentiles(0.5, 0.95).register(services.meters()).record(firstToken);
        Timer.builder("switchboard.reply.duration").tag("provider", target.provider())
                .register(services.meters()).record(latency);
        Counter.builder("switchboard.tokens").tag("provider", target.provider()).tag("direction", "input")
                .register(services.meters()).increment(completion.usage().input());
        Counter.builder("switchboard.tokens").tag("provider", target.provider()).tag("direction", "output")
                .register(services.meters()).increment(completion.usage().output());
        if (cost > 0) {
            Counter.builder("switchboard.cost.usd").tag("provider", target.provider()).register(services.meters())
                    .increment(cost);
        }
        String text = AttachmentNotes.under(completion.text(), request.history(),
                capabilities(target, provider).vision());
        ReplyOutcome.Completed done = new ReplyOutcome.Completed(text, target, failures,
                completion.usage(), firstToken, latency, omittedTurns, cost,
                tools == null ? List.of() : tools.record());
        if (done.fellBack()) {
            counter("switchboard.reply.fallbacks", target).increment();
        }
        if (news) {
            services.stats().fellBack(request.key(), request.channelName(), failedTargets(),
                    why(failures.getLast().failure()), target.id());
        }
        ConversationKey key = request.key();
        String user = request.history().getLast().authorId();
        UsageRecord record = new UsageRecord(services.clock().instant(), key.platform(), key.workspace(), key.channel(),
                user, target.provider(), target.model(), completion.usage().input(), completion.usage().output(),
                cost, tools == null ? 0 : tools.steps());
        services.usage().record(record); // queued by the ledger: the disk never holds up the answer

        finish(done);
    }

    /**
     * @param deliberate skipped on purpose (off in the config, turned off by an operator): not news for operators,
     *                   who hear of a reply that fell back only when something went wrong
     */
    /** The step's tools have their results: the same target goes on, unless the reply ended meanwhile. */
    private synchronized void nextStep(Target target, ProviderState provider, Throwable error) {
        if (finished) {
            return;
        }
        if (error != null) {
            log.error("the tool loop failed {}", kv("conversation", request.key()), error);
            finish(new ReplyOutcome.Failed(UserMessages.allFailed(failures), failures));
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

    private void failed(TargetFailure failure, boolean deliberate) {
        failures.add(failure);
        news |= !deliberate;
    }

    /** A failure as operators read it: a skip says why it skipped ("circuit breaker open", "turned off…"). */
    private static String why(Failure failure) {
        return failure instanceof Failure.Unavailable u ? u.reason() : failure.label();
    }

    private String failedTargets() {
        return String.join(" → ", failures.stream().map(f -> f.target().id()).distinct().toList());
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
        switch (result) {
            case ReplyOutcome.Completed c -> log.info("reply {} {} {} {} {} {}", kv("conversation", request.key()),
                    kv("provider", c.target().provider()), kv("model", c.target().model()),
                    kv("fallbacks", c.failures().size()), kv("first_token_ms", c.firstToken().toMillis()),
                    kv("latency_ms", c.latency().toMillis()));
            case ReplyOutcome.Failed f -> {
                log.warn("reply failed {} {}", kv("conversation", request.key()),
                        kv("failures", f.failures().toString()));
                if (news) {
                    services.stats().fellBack(request.key(), request.channelName(), failedTargets(),
                            why(f.failures().getLast().failure()), null);
                }
            }
            case ReplyOutcome.Cancelled c -> log.info("reply cancelled {} {}", kv("conversation", request.key()),
                    kv("reason", c.reason()));
        }
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

    private Counter counter(String name, Target target) {
        return Counter.builder(name).tag("provider", target.provider()).register(services.meters());
    }
}
