package dev.switchboard.routing;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.failsafe.CircuitBreaker;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.UsageLedger;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a conversation through its route: tries each target in order, with the target provider's retries,
 * circuit breaker, stream slots and deadlines, and falls back to the next target when one fails. Streams the answer
 * to a {@link ReplyListener} as it arrives. Thread-safe; one instance serves every adapter.
 *
 * <p>Three parts do the work: {@link RouteChoices} (which targets, which prompt, operators' choices),
 * {@link ProviderRegistry} (every provider's policies and health, replaced on reload) and {@link ReplyRun} (one
 * reply, target after target).
 *
 * <p>Per target the policies nest as Retry(stream slot(CircuitBreaker(attempt))), outermost first: every retry takes
 * one of the provider's stream slots ({@link StreamSlots}: when all are in use it waits in line, oldest first, for at
 * most the first-token deadline, and only then does the reply move to the next target) and asks the breaker for a
 * permit (an open breaker fails at once, without waiting). The breaker hears each try's outcome by hand, so a
 * cancelled try or a wait for a slot that ran out never counts as a success, and a cancelled half-open probe re-opens
 * it. The attempt enforces its own first-token, idle and total deadlines. Retries happen only before the first token
 * was shown; after that a failure goes to the next target, whose answer replaces the partial one.
 */
public final class Router implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private volatile RouterOptions options;
    private final RouteChoices routes;
    private final ProviderRegistry providers;
    private final RouterTime time;
    private final Clock clock;
    private final RandomGenerator random;
    private final MeterRegistry meters;
    private final AtomicInteger activeReplies = new AtomicInteger();
    private final Set<ReplyRun> live = ConcurrentHashMap.newKeySet();
    private final UsageLedger usage;
    private final ProviderStats stats;
    private final UserModels users;
    private final Summarizer summarizer;
    private volatile ToolBox toolBox = ToolBox.NONE;
    private volatile ToolOptions toolOptions = ToolOptions.NONE;

    public Router(RouterOptions options, ModelFactory models, ScheduledExecutorService scheduler, Clock clock,
                  RandomGenerator random, MeterRegistry meters) {
        this(options, models, scheduler, clock, random, meters, UsageLedger.NONE);
    }

    public Router(RouterOptions options, ModelFactory models, ScheduledExecutorService scheduler, Clock clock,
                  RandomGenerator random, MeterRegistry meters, UsageLedger usage) {
        this(options, models, RouterTime.of(scheduler), clock, random, meters, usage);
    }

    /**
     * @param time attempt deadlines, retry waits and breaker windows run on it
     * @param clock the wall-clock time of prompts, statistics and usage records; moves with {@code time} in tests
     */
    public Router(RouterOptions options, ModelFactory models, RouterTime time, Clock clock, RandomGenerator random,
                  MeterRegistry meters, UsageLedger usage) {
        this.options = options;
        this.usage = usage;
        this.stats = new ProviderStats(clock);
        this.routes = new RouteChoices(new RouteTable(options));
        this.users = new UserModels(options.userModels());
        this.providers = new ProviderRegistry(options.providers(), models, time, clock, meters);
        this.time = time;
        this.clock = clock;
        this.random = random;
        this.meters = meters;
        this.summarizer = new Summarizer(routes, providers, time, random);
        meters.gauge("switchboard.replies.active", activeReplies);
    }

    /**
     * Takes new providers and routes while running (a reload). A provider whose settings did not change keeps its
     * breaker, marks and statistics; a changed one starts afresh (an operator's "off" is kept); a removed one is
     * skipped by replies still in flight.
     *
     * @return the providers added, changed and removed, for the operator
     */
    public synchronized Changes reconfigure(RouterOptions next) {
        Changes changes = providers.reconfigure(next.providers());
        routes.reconfigure(new RouteTable(next));
        users.reconfigure(next.userModels());
        this.options = next;
        log.info("providers and routing reconfigured {} {} {}", kv("added", changes.added()),
                kv("changed", changes.changed()), kv("removed", changes.removed()));
        return changes;
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
    public static ScheduledExecutorService scheduler(int threads, ThreadFactory factory) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(threads, factory);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Starts answering; the listener hears the tokens and, exactly once, the outcome. */
    public ReplyHandle reply(ReplyRequest request, ReplyListener listener) {
        RouteChoices.Plan plan = routes.plan(request.key(), random, request.only() != null ? null
                : users.preferred(request.key().platform(), request.userId(), request.threadModel()).orElse(null));
        String system = PromptBuilder.withContext(PromptBuilder.systemPrompt(plan.systemPrompt(), request.userName(),
                request.channelName(), request.viewingChannel(), clock.instant()), request.context());
        ReplyRun.Services services = new ReplyRun.Services(providers, options, time, clock, meters, stats,
                usage, this::finished);
        List<String> allowed = toolOptions.allowed(request.key(), plan.route());
        ReplyRun reply = new ReplyRun(services, request, listener,
                request.only() != null ? List.of(request.only()) : plan.targets(), system,
                allowed.isEmpty() ? null : new ToolLoop(toolBox, toolOptions, allowed, time));
        activeReplies.incrementAndGet();
        live.add(reply);
        reply.advance();
        return reply;
    }

    /** Plugs in the tools replies may call, and where; takes effect for replies that begin afterwards. */
    public void useTools(ToolBox box, ToolOptions options) {
        this.toolBox = java.util.Objects.requireNonNull(box);
        this.toolOptions = java.util.Objects.requireNonNull(options);
    }

    /** Changes which tools replies may call where (a reload); the servers stay. */
    public void useToolOptions(ToolOptions options) {
        this.toolOptions = java.util.Objects.requireNonNull(options);
    }

    private void finished(ReplyRun reply) {
        activeReplies.decrementAndGet();
        live.remove(reply);
    }

    /**
     * Makes {@code provider/model} answer first in a conversation's channel (the route's targets stay as fallbacks),
     * or, with null, lets the route decide again.
     *
     * @return null when done; otherwise why not, for the operator
     */
    public String pinModel(ConversationKey channel, String providerSlashModel) {
        return routes.pinModel(channel, providerSlashModel, providers);
    }

    /**
     * Makes a configured route answer in a conversation's channel, or, with null, the config decide again.
     *
     * @return null when done; otherwise why not
     */
    public String chooseRoute(ConversationKey channel, String route) {
        return routes.chooseRoute(channel, route);
    }

    /** Sets the system prompt of a conversation's channel ({@code {user}}, {@code {channel}}, {@code {date}} work), or clears it. */
    public void choosePrompt(ConversationKey channel, String prompt) {
        routes.choosePrompt(channel, prompt);
    }

    /** Routes chosen by operators, by {@code platform/workspace/channel}. */
    public Map<String, String> routeChoices() {
        return routes.routeChoices();
    }

    /** System prompts set by operators, by {@code platform/workspace/channel}. */
    public Map<String, String> promptChoices() {
        return routes.promptChoices();
    }

    /** Every pin: {@code platform/workspace/channel} to {@code provider/model}. */
    public Map<String, String> pins() {
        return routes.pins();
    }

    /** The model pinned for a conversation's channel, if any, as {@code provider/model}. */
    public Optional<String> pinnedModel(ConversationKey channel) {
        return routes.pinnedModel(channel);
    }

    /** The models users may choose ({@code routing.user_models}), as {@code provider/model}, in config order. */
    public List<String> userModels() {
        return users.allowed();
    }

    /** The models a comparison asks when the user names none, as {@code provider/model}; may be empty. */
    public List<String> compareModels() {
        return options.compareModels().stream().map(Target::id).toList();
    }

    /** Whether the config lists {@code provider/model} under its provider's models. */
    public boolean configured(String providerSlashModel) {
        int slash = providerSlashModel.indexOf('/');
        RouterOptions.Provider p = slash <= 0 ? null : options.providers().get(providerSlashModel.substring(0, slash));
        return p != null && p.models().contains(providerSlashModel.substring(slash + 1));
    }

    /** Sets (or with null clears) the model a user chose to answer them first wherever they ask. */
    public void chooseUserDefault(String platform, String user, String providerSlashModel) {
        users.setDefault(platform, user, providerSlashModel);
    }

    /** The user's default choice as saved, allowed or not. */
    public Optional<String> userDefault(String platform, String user) {
        return users.defaultOf(platform, user);
    }

    /** Every user's default choice: {@code platform/user} to {@code provider/model}. */
    public Map<String, String> userDefaults() {
        return users.defaults();
    }

    /** A snapshot of each provider for status pages and commands. */
    public List<ProviderStatus> providers() {
        return providers.statuses();
    }

    /**
     * What operators see of a provider.
     *
     * @param name the provider
     * @param availability whether it is in rotation, and if not why
     * @param breaker closed, half_open or open
     * @param lastFailure the label of its last failure, or empty
     * @param lastFailureAt when, or null
     * @param streams its streams open and waiting for a slot
     */
    public record ProviderStatus(String name, Availability availability, String breaker, String lastFailure,
                                 Instant lastFailureAt, Streams streams) {

        /**
         * Why it is taken out of rotation by a mark (off, turned off, misconfigured, cooling down), or null; an open
         * breaker shows in {@link #breaker()} instead.
         */
        public String unavailable() {
            return availability.marked() ? availability.reason() : null;
        }
    }

    /**
     * A provider's streams now ({@code max_concurrent_streams}).
     *
     * @param open streams open
     * @param limit streams allowed at once
     * @param waiting replies waiting in line for a stream slot, oldest first
     * @param oldestWait how long the first in line has waited; zero when nobody waits
     */
    public record Streams(int open, int limit, int waiting, Duration oldestWait) { }

    /**
     * Each provider's {@code max_concurrent_streams} is divided among the {@code nodes} of a cluster from now on (a
     * provider counts them per key, whichever node streams): each node opens at most its share.
     */
    public void shareStreams(int nodes) {
        providers.shareStreams(nodes);
    }

    /** The last hour of every provider and the recent fallbacks. */
    public ProviderStats stats() {
        return stats;
    }

    /** The replies in flight, oldest first. */
    public List<Active> active() {
        return live.stream().map(ReplyRun::snapshot).sorted(Comparator.comparing(Active::started)).toList();
    }

    /**
     * A reply in flight.
     *
     * @param conversation its conversation
     * @param target the {@code provider/model} streaming it, or null while none is asked yet
     * @param started when the reply began
     * @param chars characters streamed so far by the current target
     * @param channelName the name of the conversation's channel the reply was asked with; empty when the platform
     *     gave none (a direct message, a name not known yet)
     */
    public record Active(String conversation, String target, Instant started, int chars, String channelName) { }

    /** Takes a provider out of rotation (an open switch) or puts it back, clearing its marks. */
    public boolean setProviderEnabled(String name, boolean enabled) {
        return providers.setEnabled(name, enabled);
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
        return providers.check();
    }

    /** Writes the summaries of long threads with each route's cheapest target. */
    public Summarizer summarizer() {
        return summarizer;
    }

    /** Asks every active provider which models it serves (its models endpoint), and which configured ones it lacks. */
    public List<ServedModels> servedModels() {
        return ServedModels.of(options.providers());
    }

    /** Cancels every reply in flight (their listeners hear {@code Cancelled}); the scheduler belongs to the caller. */
    @Override
    public void close() {
        for (ReplyRun reply : List.copyOf(live)) {
            reply.cancel("the service is shutting down");
        }
    }

    /** For tests: the current breaker state of a provider. */
    CircuitBreaker.State breakerState(String provider) {
        return providers.breakerState(provider);
    }
}
