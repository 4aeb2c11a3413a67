package dev.switchboard.routing;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.UsageRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a reply leaves behind for operators: its metrics, log lines, last-hour statistics and usage records. Tells
 * nothing to the reply's listener.
 */
final class ReplyRecords {

    private static final Logger log = LoggerFactory.getLogger(Router.class);

    /** What a completed answer measured: its cost by the price table and its times from the reply's start. */
    record Measured(double cost, Duration firstToken, Duration latency) { }

    private final ReplyRun.Services services;
    private final ReplyRequest request;

    ReplyRecords(ReplyRun.Services services, ReplyRequest request) {
        this.services = services;
        this.request = request;
    }

    /** A try of {@code target} begins. */
    void attempt(Target target) {
        counter("switchboard.provider.attempts", target).increment();
    }

    /** The try's outcome for the last-hour statistics; cancelled tries and our own mistakes say nothing. */
    void tried(ProviderState provider, long asked, Attempt.Completion completion, Throwable error) {
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

    /** An attempt failed (after any tokens were {@code shown}). */
    void attemptFailed(Target target, Failure failure, boolean shown) {
        Counter.builder("switchboard.provider.failures").tag("provider", target.provider())
                .tag("class", failure.label()).register(services.meters()).increment();
        log.info("attempt failed {} {} {} {}", kv("provider", target.provider()), kv("model", target.model()),
                kv("failure", failure.label()), kv("tokens_shown", shown));
        if (failure instanceof Failure.BadRequest bad) {
            log.error("provider rejected our request as malformed; this is a Switchboard bug {} {} {}",
                    kv("provider", target.provider()), kv("model", target.model()), kv("detail", bad.detail()));
        }
    }

    /** Records the answer's times, tokens and cost. */
    Measured measure(Target target, ProviderState provider, Attempt.Completion completion, long startNanos) {
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
        return new Measured(cost, firstToken, latency);
    }

    /** The answer is complete: a fallback counted and told, the usage queued to the ledger. */
    void completed(ReplyOutcome.Completed done, TargetChoice choice, int toolSteps) {
        Target target = done.target();
        if (done.fellBack()) {
            counter("switchboard.reply.fallbacks", target).increment();
        }
        if (choice.news()) {
            services.stats().fellBack(request.key(), request.channelName(), failedTargets(choice),
                    why(choice.failures().getLast().failure()), target.id());
        }
        ConversationKey key = request.key();
        String user = request.history().getLast().authorId();
        UsageRecord record = new UsageRecord(services.clock().instant(), key.platform(), key.workspace(), key.channel(),
                user, target.provider(), target.model(), done.usage().input(), done.usage().output(),
                done.costUsd(), toolSteps);
        services.usage().record(record); // queued by the ledger: the disk never holds up the answer
    }

    /** The reply ended: one log line, and a reply that failed after news is told. */
    void finished(ReplyOutcome result, TargetChoice choice) {
        switch (result) {
            case ReplyOutcome.Completed c -> log.info("reply {} {} {} {} {} {}", kv("conversation", request.key()),
                    kv("provider", c.target().provider()), kv("model", c.target().model()),
                    kv("fallbacks", c.failures().size()), kv("first_token_ms", c.firstToken().toMillis()),
                    kv("latency_ms", c.latency().toMillis()));
            case ReplyOutcome.Failed f -> {
                log.warn("reply failed {} {}", kv("conversation", request.key()),
                        kv("failures", f.failures().toString()));
                if (choice.news()) {
                    services.stats().fellBack(request.key(), request.channelName(), failedTargets(choice),
                            why(f.failures().getLast().failure()), null);
                }
            }
            case ReplyOutcome.Cancelled c -> log.info("reply cancelled {} {}", kv("conversation", request.key()),
                    kv("reason", c.reason()));
        }
    }

    /** A failure as operators read it: a skip says why it skipped ("circuit breaker open", "turned off…"). */
    private static String why(Failure failure) {
        return failure instanceof Failure.Unavailable u ? u.reason() : failure.label();
    }

    private static String failedTargets(TargetChoice choice) {
        return String.join(" → ", choice.failures().stream().map(f -> f.target().id()).distinct().toList());
    }

    private Counter counter(String name, Target target) {
        return Counter.builder(name).tag("provider", target.provider()).register(services.meters());
    }
}
