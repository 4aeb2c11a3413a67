package dev.switchboard.ops;

import dev.switchboard.conversation.StoreStats;
import dev.switchboard.routing.Availability;
import dev.switchboard.routing.ProviderStats;
import dev.switchboard.routing.Router;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Everything operators see at once: the {@code status} command prints it, the status page draws it. Built fresh for
 * each look by the composition root. Immutable.
 *
 * @param at when it was taken
 * @param providers every configured provider, in config order
 * @param adapters the chat platforms this process runs
 * @param store the data folder, measured at most every half minute; null until the first measurement is in
 * @param active replies in flight, oldest first
 * @param fallbacks recent replies that another target finished or nobody could, newest first
 * @param backend where the state lives and whether it can be reached
 * @param feedback the verdicts people gave per model (the share of 👍), counted at most every ten seconds
 * @param nodes the nodes answering as one bot with this one, this one included; empty when it runs alone
 */
public record Status(Instant at, List<Provider> providers, List<Adapter> adapters, StoreStats store,
                     List<Router.Active> active, List<ProviderStats.Fallback> fallbacks, StoreBackend backend,
                     List<dev.switchboard.conversation.FeedbackTally> feedback, List<Node> nodes) {

    public Status {
        feedback = feedback == null ? List.of() : List.copyOf(feedback);
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }

    /**
     * One node of a cluster, as its heartbeat shows it.
     *
     * @param id its node id
     * @param here whether it is this process
     * @param alive whether its last heartbeat is within the lease
     * @param sinceBeat how long ago that heartbeat was
     * @param up how long it has been running, by its start time
     * @param load replies waiting or streaming on it
     * @param serves what it serves ("slack, discord")
     */
    public record Node(String id, boolean here, boolean alive, Duration sinceBeat, Duration up, int load,
                       String serves) { }

    /**
     * The storage backend.
     *
     * @param name files or postgres
     * @param problem why it cannot be reached, or null when it can
     */
    public record StoreBackend(String name, String problem) {
        public boolean up() {
            return problem == null;
        }

        /** "files, ok" or "postgres, unreachable (why)". */
        public String describe() {
            return name + (up() ? ", ok" : ", unreachable (" + problem + ")");
        }
    }

    /** How a provider looks to operators, worst first. */
    public enum Health {
        /** Its breaker is open, its key was refused, or it is cooling down after a long rate limit. */
        DOWN,
        /** Its breaker is probing, or it failed within the last five minutes. */
        DEGRADED,
        /** Turned off by an operator or in the config. */
        OFF,
        /** In rotation with nothing recent against it. */
        UP
    }

    /**
     * One provider.
     *
     * @param name its name in the config
     * @param health the one-word verdict
     * @param unavailable why it is skipped now, or null when it is in rotation
     * @param breaker closed, half_open or open
     * @param lastFailure the class of its last failure, or empty
     * @param lastFailureAt when, or null
     * @param lastHour tries, failures and time to first token over the last hour
     * @param perMinute the last hour minute by minute, oldest first
     * @param streams its streams open and the replies waiting in line for one
     */
    public record Provider(String name, Health health, String unavailable, String breaker, String lastFailure,
                           Instant lastFailureAt, ProviderStats.Summary lastHour, List<ProviderStats.Point> perMinute,
                           Router.Streams streams) {
    }

    /**
     * One chat platform.
     *
     * @param name slack or discord
     * @param connected whether events reach the service now
     * @param link what the latency measures (Socket Mode, HTTP mode, gateway)
     * @param latency that round trip, or null before it was measured
     */
    public record Adapter(String name, boolean connected, String link, Duration latency) { }

    /** The verdict for a provider from its router snapshot and last hour. */
    public static Health health(Router.ProviderStatus p, Instant now) {
        Health marked = switch (p.availability()) {
            case Availability.OffInConfig off -> Health.OFF;
            case Availability.TurnedOff off -> Health.OFF;
            case Availability.Misconfigured m -> Health.DOWN;
            case Availability.CoolingDown c -> Health.DOWN;
            case Availability.BreakerOpen b -> Health.DOWN;
            case Availability.On on -> null;
        };
        if (marked != null) {
            return marked;
        }
        if (p.breaker().equals("open")) {
            return Health.DOWN; // open, and its probe is due
        }
        boolean recentFailure = p.lastFailureAt() != null
                && p.lastFailureAt().isAfter(now.minus(Duration.ofMinutes(5)));
        return p.breaker().equals("half_open") || recentFailure ? Health.DEGRADED : Health.UP;
    }
}
