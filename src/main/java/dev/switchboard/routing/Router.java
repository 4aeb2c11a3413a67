package dev.switchboard.routing;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.failsafe.Bulkhead;
import dev.failsafe.BulkheadFullException;
import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.conversation.UsageRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a conversation through its route: tries each target in order, with the target provider's retries,
 * circuit breaker, bulkhead and deadlines, and falls back to the next target when one fails. Streams the answer to a
 * {@link ReplyListener} as it arrives. Thread-safe; one instance serves every adapter.
 *
 * <p>Per target the policies nest as Retry(Bulkhead(CircuitBreaker(attempt))), outermost first: every retry takes a
 * stream slot (a full bulkhead sends the reply to the next target at once) and asks the breaker for a permit (an open
 * breaker fails at once, without waiting). The breaker hears each try's outcome by hand, so a cancelled try or a full
 * bulkhead never counts as a success, and a cancelled half-open probe re-opens it. The attempt enforces its own
 * first-token, idle and total deadlines. Retries happen only
 * before the first token was shown; after that a failure goes to the next target, whose answer replaces the partial
 * one.
 */
public final class Router implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private volatile RouterOptions routing;
    private volatile RouteTable routes;
    private final Map<String, Target> pins = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, String> routeChoices = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, String> promptChoices = new java.util.concurrent.ConcurrentHashMap<>();
    /** Replaced whole on reconfigure, never changed in place: readers need no lock. */
    private volatile Map<String, ProviderState> providers = Map.of();
    private final Map<String, io.micrometer.core.instrument.Gauge> breakerGauges =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final ModelFactory models;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final RandomGenerator random;
    private final MeterRegistry meters;
    private final AtomicInteger activeReplies = new AtomicInteger();
    private final java.util.Set<Reply> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final UsageLedger usage;
    private final ProviderStats stats;

    public Router(RouterOptions config, ModelFactory models, ScheduledExecutorService scheduler, Clock clock,
                  RandomGenerator random, MeterRegistry meters) {
        this(config, models, scheduler, clock, random, meters, UsageLedger.NONE);
    }

    public Router(RouterOptions config, ModelFactory models, ScheduledExecutorService scheduler, Clock clock,
                  RandomGenerator random, MeterRegistry meters, UsageLedger usage) {
        this.usage = usage;
        this.stats = new ProviderStats(clock);
        this.routing = config;
        this.routes = new RouteTable(config);
        this.scheduler = scheduler;
        this.clock = clock;
        this.random = random;
        this.meters = meters;
        this.models = models;
        Map<String, ProviderState> built = new LinkedHashMap<>();
        config.providers().forEach((name, p) -> built.put(name, newState(name, p, null)));
        this.providers = java.util.Collections.unmodifiableMap(built);
        meters.gauge("switchboard.replies.active", activeReplies);
    }

    private ProviderState newState(String name, RouterOptions.Provider p, ProviderState replacing) {
        // One gauge per provider name, reading whichever state is current: a replaced state cannot overwrite it.
        breakerGauges.computeIfAbsent(name, n -> io.micrometer.core.instrument.Gauge.builder(
                "switchboard.provider.breaker", this, router -> router.breakerCode(n))
                .tag("provider", n).description("0 closed, 1 half-open, 2 open").register(meters));
        Bulkhead<Attempt.Completion> bulkhead = replacing != null
                && replacing.config.maxConcurrentStreams() == p.maxConcurrentStreams() ? replacing.bulkhead : null;
        return new ProviderState(name, p, models, clock, state -> log.warn("circuit breaker {} {}",
                state.name().toLowerCase(java.util.Locale.ROOT), kv("provider", name)), bulkhead);
    }

    private double breakerCode(String provider) {
        ProviderState p = providers.get(provider);
        if (p == null) {
            return Double.NaN;
        }
        return switch (p.breaker.getState()) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        };
    }

    /**
     * Takes a new config's providers and routing while running. A provider whose settings did not change keeps its
     * breaker, marks and statistics; a changed one starts afresh (an operator's "off" is kept); a removed one is
     * skipped by replies still in flight. The config must have passed validation.
     *
     * @return the providers added, changed and removed, for the operator
     */
    public synchronized Changes reconfigure(RouterOptions config) {
        Map<String, ProviderState> before = providers;
        Map<String, ProviderState> after = new LinkedHashMap<>();
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        config.providers().forEach((name, p) -> {
            ProviderState old = before.get(name);
            if (old != null && old.config.equals(p)) {
                after.put(name, old);
                return;
            }
            ProviderState fresh = newState(name, p, old);
            if (old != null) {
                if (old.turnedOff()) {
                    fresh.setTurnedOff(true);
                }
                changed.add(name);
            } else {
                added.add(name);
            }
            after.put(name, fresh);
        });
        List<String> removed = before.keySet().stream().filter(n -> !after.containsKey(n)).toList();
        RouteTable table = new RouteTable(config);
        routeChoices.values().removeIf(route -> !table.hasRoute(route));
        this.providers = java.util.Collections.unmodifiableMap(after);
        this.routes = table;
        this.routing = config;
        log.info("providers and routing reconfigured {} {} {}", kv("added", added), kv("changed", changed),
                kv("removed", removed));
        return new Changes(added, changed, removed);
    }

    /**
     * What a reconfigure did to the providers.
     *
     * @param added new providers
     * @param changed providers whose settings changed (they start with a closed breaker)
     * @param removed providers no longer configured
     */
    public record Changes(List<String> added, List<String> changed, List<String> removed) { }

    /**
     * A scheduler fit for the router: deadlines are cancelled far more often than they fire, so cancelled ones
     * leave its queue at once.
     */
    public static ScheduledExecutorService scheduler(int threads, java.util.concurrent.ThreadFactory factory) {
        java.util.concurrent.ScheduledThreadPoolExecutor executor =
                new java.util.concurrent.ScheduledThreadPoolExecutor(threads, factory);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Starts answering; the listener hears the tokens and, exactly once, the outcome. */
    public ReplyHandle reply(ReplyRequest request, ReplyListener listener) {
        RouteTable.Resolved route = routes.resolve(request.key(), routeChoices.get(scope(request.key())),
                promptChoices.get(scope(request.key())));
        List<Target> order = new ArrayList<>(RouteTable.order(route.targets(), random));
        Target pinned = pins.get(scope(request.key()));
        if (pinned != null) {
            // The operator's choice answers first, whatever the priorities; the route's targets stay as fallbacks.
            order.removeIf(t -> t.id().equals(pinned.id()));
            order.addFirst(pinned);
        }
        String system = PromptBuilder.systemPrompt(route.systemPrompt(), request.userName(), request.channelName(),
                clock.instant());
        Reply reply = new Reply(request, listener, List.copyOf(order), system);
        activeReplies.incrementAndGet();
        live.add(reply);
        reply.advance();
        return reply;
    }

    /**
     * Makes {@code provider/model} answer first in a conversation's channel (the route's targets stay as fallbacks),
     * or, with null, lets the route decide again.
     *
     * @return null when done; otherwise why not, for the operator
     */
    public String pinModel(ConversationKey channel, String providerSlashModel) {
        if (providerSlashModel == null) {
            pins.remove(scope(channel));
            log.info("model pin removed {}", kv("channel", scope(channel)));
            return null;
        }
        int slash = providerSlashModel.indexOf('/');
        if (slash <= 0 || slash == providerSlashModel.length() - 1) {
            return "write it as provider/model, e.g. " + providers.keySet().stream().findFirst().orElse("openai")
                    + "/" + "model-name";
        }
        String provider = providerSlashModel.substring(0, slash);
        ProviderState state = providers.get(provider);
        if (state == null) {
            return "there is no provider \"" + provider + "\"; known: " + String.join(", ", providers.keySet());
        }
        if (!state.config.active()) {
            return "provider \"" + provider + "\" is off in the config";
        }
        pins.put(scope(channel), new Target(provider, providerSlashModel.substring(slash + 1), -1, 1));
        log.info("model pinned {} {}", kv("channel", scope(channel)), kv("target", providerSlashModel));
        return null;
    }

    /**
     * Makes a configured route answer in a conversation's channel, or, with null, the config decide again.
     *
     * @return null when done; otherwise why not
     */
    public String chooseRoute(ConversationKey channel, String route) {
        if (route == null) {
            routeChoices.remove(scope(channel));
            return null;
        }
        if (!routes.hasRoute(route)) {
            return "there is no route \"" + route + "\" under routing.routes in the config";
        }
        routeChoices.put(scope(channel), route);
        log.info("route chosen {} {}", kv("channel", scope(channel)), kv("route", route));
        return null;
    }

    /** Sets the system prompt of a conversation's channel ({@code {user}}, {@code {channel}}, {@code {date}} work), or clears it. */
    public void choosePrompt(ConversationKey channel, String prompt) {
        if (prompt == null || prompt.isBlank()) {
            promptChoices.remove(scope(channel));
        } else {
            promptChoices.put(scope(channel), prompt);
        }
    }

    /** Routes chosen by operators, by {@code platform/workspace/channel}. */
    public Map<String, String> routeChoices() {
        return new java.util.TreeMap<>(routeChoices);
    }

    /** System prompts set by operators, by {@code platform/workspace/channel}. */
    public Map<String, String> promptChoices() {
        return new java.util.TreeMap<>(promptChoices);
    }

    /** Every pin: {@code platform/workspace/channel} to {@code provider/model}. */
    public Map<String, String> pins() {
        Map<String, String> out = new java.util.TreeMap<>();
        pins.forEach((scope, target) -> out.put(scope, target.id()));
        return out;
    }

    /** The model pinned for a conversation's channel, if any, as {@code provider/model}. */
    public java.util.Optional<String> pinnedModel(ConversationKey channel) {
        return java.util.Optional.ofNullable(pins.get(scope(channel))).map(Target::id);
    }

    private static String scope(ConversationKey key) {
        return key.platform() + "/" + key.workspace() + "/" + key.channel();
    }

    /** A snapshot of each provider for status pages and commands. */
    public List<ProviderStatus> providers() {
        List<ProviderStatus> out = new ArrayList<>();
        providers.forEach((name, p) -> out.add(new ProviderStatus(name, p.unavailable(),
                p.breaker.getState().name().toLowerCase(java.util.Locale.ROOT), p.lastFailure(), p.lastFailureAt())));
        return out;
    }

    /**
     * What operators see of a provider.
     *
     * @param name the provider
     * @param unavailable why it is skipped, or null when it is in rotation
     * @param breaker closed, half_open or open
     * @param lastFailure the label of its last failure, or empty
     * @param lastFailureAt when, or null
     */
    public record ProviderStatus(String name, String unavailable, String breaker, String lastFailure,
                                 Instant lastFailureAt) {
    }

    /** The last hour of every provider and the recent fallbacks. */
    public ProviderStats stats() {
        return stats;
    }

    /** The replies in flight, oldest first. */
    public List<Active> active() {
        return live.stream().map(Reply::snapshot).sorted(java.util.Comparator.comparing(Active::started)).toList();
    }

    /**
     * A reply in flight.
     *
     * @param conversation its conversation
     * @param target the {@code provider/model} streaming it, or null while none is asked yet
     * @param started when the reply began
     * @param chars characters streamed so far by the current target
     */
    public record Active(String conversation, String target, Instant started, int chars) { }

    /** Takes a provider out of rotation (an open switch) or puts it back, clearing its marks. */
    public synchronized boolean setProviderEnabled(String name, boolean enabled) {
        ProviderState p = providers.get(name);
        if (p == null) {
            return false;
        }
        p.setTurnedOff(!enabled);
        log.info("provider turned {} {}", enabled ? "on" : "off", kv("provider", name));
        return true;
    }

    /**
     * What a probe of one model found.
     *
     * @param provider the provider
     * @param model the model
     * @param failure null when the model answered
     * @param took time to the answer or the failure
     */
    public record Check(String provider, String model, Failure failure, Duration took) {
    }

    /**
     * Sends one tiny request to every model of every active provider, without retries, and reports what each said:
     * a wrong key, a missing model, or no answer show up here before users see them.
     */
    public List<Check> check() {
        List<CompletableFuture<Check>> checks = new ArrayList<>();
        providers.forEach((name, p) -> {
            if (!p.config.active()) {
                return;
            }
            for (String model : p.config.models()) {
                long start = System.nanoTime();
                Object lock = new Object();
                ChatRequest ping = ChatRequest.builder().messages(List.of(
                        dev.langchain4j.data.message.UserMessage.from("Reply with the single word: ok"))).build();
                Attempt attempt = new Attempt(lock, p.model(model), ping, p.config.deadlines(), scheduler, (a, t) -> true);
                checks.add(attempt.start().handle((done, error) -> {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    Failure failure = cause == null ? null : cause instanceof Attempt.Failed f ? f.failure
                            : FailureClassifier.classify(cause, 0, null);
                    return new Check(name, model, failure, Duration.ofNanos(System.nanoTime() - start));
                }));
            }
        });
        return checks.stream().map(CompletableFuture::join).toList();
    }

    /** Cancels every reply in flight (their listeners hear {@code Cancelled}); the scheduler belongs to the caller. */
    @Override
    public void close() {
        for (Reply reply : List.copyOf(live)) {
            reply.cancel("the service is shutting down");
        }
    }

    /** One reply: walks the targets, one attempt at a time. All state is guarded by the reply itself. */
    private final class Reply implements ReplyHandle {
        private final ReplyRequest request;
        private final ReplyListener listener;
        private final List<Target> plan;
        private final String systemPrompt;
        private final List<TargetFailure> failures = new ArrayList<>();
        private final CompletableFuture<ReplyOutcome> outcome = new CompletableFuture<>();
        private final long startNanos = System.nanoTime();
        private final Instant startedAt = clock.instant();
        private int chars;
        private Target currentTarget;
        private int next;
        private boolean finished;
        private Attempt current;
        private CompletableFuture<Attempt.Completion> execution;
        private TargetFailure pendingReset;
        private double budgetFactor = 1.0;
        private Target trimmedFor;
        private int promptMessages;
        private int omittedTurns;

        Reply(ReplyRequest request, ReplyListener listener, List<Target> plan, String systemPrompt) {
            this.request = request;
            this.listener = listener;
            this.plan = new ArrayList<>(plan);
            this.systemPrompt = systemPrompt;
        }

        synchronized void advance() {
            while (!finished && next < plan.size()) {
                Target target = plan.get(next++);
                ProviderState provider = providers.get(target.provider());
                String skip = provider == null ? "not configured" : provider.unavailable();
                if (skip != null) {
                    failures.add(new TargetFailure(target, new Failure.Unavailable(skip)));
                    continue;
                }
                launch(target, provider);
                return;
            }
            finish(new ReplyOutcome.Failed(UserMessages.allFailed(failures), failures));
        }

        private void launch(Target target, ProviderState provider) {
            int window = ContextWindows.of(target.model(), provider.config.contextWindows());
            double factor = target.equals(trimmedFor) ? budgetFactor : 1.0;
            PromptBuilder.Prompt prompt = PromptBuilder.build(systemPrompt, request.history(), window, factor);
            omittedTurns = prompt.omittedTurns();
            promptMessages = prompt.messages().size();
            ChatRequest chat = ChatRequest.builder().messages(prompt.messages()).build();
            AtomicInteger tries = new AtomicInteger();
            CompletableFuture<Attempt.Completion> run = Failsafe.with(provider.retry, provider.bulkhead)
                    .with(scheduler).getStageAsync(() -> {
                        var model = provider.model(target.model());
                        Attempt attempt;
                        synchronized (this) {
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
                            attempt = new Attempt(this, model, chat, provider.config.deadlines(), scheduler, this::accept);
                            current = attempt;
                            currentTarget = target;
                            chars = 0;
                        }
                        long asked = System.nanoTime();
                        return attempt.start().whenComplete((c, e) -> {
                            provider.recordOutcome(e);
                            recordTry(provider, asked, c, e);
                        });
                    });
            execution = run;
            run.whenComplete((completion, error) -> settle(target, provider, run, completion, error));
        }

        /** The try's outcome for the last-hour statistics; cancelled tries and our own mistakes say nothing. */
        private void recordTry(ProviderState provider, long asked, Attempt.Completion completion, Throwable error) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                    : error;
            if (cause == null) {
                // An answer without any text has no first token: it counts as a try, not as a latency.
                stats.succeeded(provider.name, completion.firstTokenNanos() == 0 ? null
                        : Duration.ofNanos(Math.max(0, completion.firstTokenNanos() - asked)));
            } else if (cause instanceof Attempt.Failed failed && failed.failure.countsAgainstProvider()) {
                stats.failed(provider.name);
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
            chars += text.length();
            notify(() -> listener.onToken(text));
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
            } else if (cause instanceof BulkheadFullException) {
                failure = new Failure.Busy();
            } else {
                failure = FailureClassifier.classify(cause, 0, null);
            }
            failures.add(new TargetFailure(target, failure));
            if (!(failure instanceof Failure.Unavailable)) {
                provider.record(failure); // an open breaker is our skip, not news about the provider
            }
            Counter.builder("switchboard.provider.failures").tag("provider", target.provider())
                    .tag("class", failure.label()).register(meters).increment();
            log.info("attempt failed {} {} {} {}", kv("provider", target.provider()), kv("model", target.model()),
                    kv("failure", failure.label()), kv("tokens_shown", shown));
            switch (failure) {
                case Failure.BadRequest bad -> {
                    log.error("provider rejected our request as malformed; this is a Switchboard bug {} {} {}",
                            kv("provider", target.provider()), kv("model", target.model()), kv("detail", bad.detail()));
                    finish(new ReplyOutcome.Failed(UserMessages.badRequest(), failures));
                    return;
                }
                case Failure.ContentFiltered filtered when routing.stopOnContentFilter() -> {
                    finish(new ReplyOutcome.Failed(UserMessages.contentFiltered(), failures));
                    return;
                }
                case Failure.ContextTooLong tooLong -> retryTrimmedIfNoLargerWindow(target, provider);
                default -> { }
            }
            if (shown) {
                if (!routing.midStreamFallback()) {
                    finish(new ReplyOutcome.Failed(UserMessages.allFailed(failures), failures));
                    return;
                }
                pendingReset = new TargetFailure(target, failure);
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
                ProviderState p = providers.get(t.provider());
                return p != null && p.unavailable() == null
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

        private void complete(Target target, ProviderState provider, Attempt.Completion completion) {
            RouterOptions.Price price = provider.config.prices().get(target.model());
            double cost = price == null ? 0 : (completion.usage().input() * price.input()
                    + completion.usage().output() * price.output()) / 1_000_000;
            Duration firstToken = Duration.ofNanos(Math.max(0, completion.firstTokenNanos() - startNanos));
            Duration latency = Duration.ofNanos(System.nanoTime() - startNanos);
            Timer.builder("switchboard.reply.first_token").tag("provider", target.provider())
                    .publishPercentiles(0.5, 0.95).register(meters).record(firstToken);
            Timer.builder("switchboard.reply.duration").tag("provider", target.provider())
                    .register(meters).record(latency);
            Counter.builder("switchboard.tokens").tag("provider", target.provider()).tag("direction", "input")
                    .register(meters).increment(completion.usage().input());
            Counter.builder("switchboard.tokens").tag("provider", target.provider()).tag("direction", "output")
                    .register(meters).increment(completion.usage().output());
            if (cost > 0) {
                Counter.builder("switchboard.cost.usd").tag("provider", target.provider()).register(meters)
                        .increment(cost);
            }
            ReplyOutcome.Completed done = new ReplyOutcome.Completed(completion.text(), target, failures,
                    completion.usage(), firstToken, latency, omittedTurns, cost);
            if (done.fellBack()) {
                counter("switchboard.reply.fallbacks", target).increment();
            }
            if (failures.stream().anyMatch(f -> !deliberate(f.failure()))) {
                stats.fellBack(request.key(), failedTargets(), why(failures.getLast().failure()), target.id());
            }
            ConversationKey key = request.key();
            String user = request.history().getLast().authorId();
            UsageRecord record = new UsageRecord(clock.instant(), key.platform(), key.workspace(), key.channel(),
                    user, target.provider(), target.model(), completion.usage().input(), completion.usage().output(),
                    cost);
            usage.record(record); // queued by the ledger: the disk never holds up the answer

            finish(done);
        }

        /** A target skipped on purpose (off in the config, turned off by an operator) is not news for operators. */
        private static boolean deliberate(Failure failure) {
            return failure instanceof Failure.Unavailable u
                    && (u.reason().equals("off") || u.reason().startsWith("turned off"));
        }

        /** A failure as operators read it: a skip says why it skipped ("circuit breaker open", "turned off…"). */
        private static String why(Failure failure) {
            return failure instanceof Failure.Unavailable u ? u.reason() : failure.label();
        }

        private String failedTargets() {
            return String.join(" → ", failures.stream().map(f -> f.target().id()).distinct().toList());
        }

        /** What the status page shows of a reply in flight. */
        synchronized Active snapshot() {
            return new Active(request.key().toString(), currentTarget == null ? null : currentTarget.id(), startedAt,
                    chars);
        }

        private void finish(ReplyOutcome result) {
            if (finished) {
                return;
            }
            finished = true;
            activeReplies.decrementAndGet();
            switch (result) {
                case ReplyOutcome.Completed c -> log.info("reply {} {} {} {} {} {}", kv("conversation", request.key()),
                        kv("provider", c.target().provider()), kv("model", c.target().model()),
                        kv("fallbacks", c.failures().size()), kv("first_token_ms", c.firstToken().toMillis()),
                        kv("latency_ms", c.latency().toMillis()));
                case ReplyOutcome.Failed f -> {
                    log.warn("reply failed {} {}", kv("conversation", request.key()),
                            kv("failures", f.failures().toString()));
                    if (f.failures().stream().anyMatch(t -> !deliberate(t.failure()))) {
                        stats.fellBack(request.key(), failedTargets(), why(f.failures().getLast().failure()), null);
                    }
                }
                case ReplyOutcome.Cancelled c -> log.info("reply cancelled {} {}", kv("conversation", request.key()),
                        kv("reason", c.reason()));
            }
            live.remove(this);
            try {
                notify(() -> listener.onDone(result));
            } finally {
                outcome.complete(result);
            }
        }

        @Override
        public void cancel(String reason) {
            Attempt attempt;
            synchronized (this) {
                if (finished) {
                    return;
                }
                attempt = current;
                finish(new ReplyOutcome.Cancelled(reason));
            }
            // The Failsafe run is left to end on its own: cancelling it would skip releasing its permits. A try
            // still waiting for its turn sees the reply finished and ends there.
            if (attempt != null) {
                attempt.cancel();
            }
        }

        @Override
        public CompletableFuture<ReplyOutcome> outcome() {
            return outcome;
        }
    }

    private Counter counter(String name, Target target) {
        return Counter.builder(name).tag("provider", target.provider()).register(meters);
    }

    /** For tests: the current breaker state of a provider. */
    CircuitBreaker.State breakerState(String provider) {
        return providers.get(provider).breaker.getState();
    }
}
