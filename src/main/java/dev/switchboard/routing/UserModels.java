package dev.switchboard.routing;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models users may choose to answer them first ({@code routing.user_models}) and each user's default choice, by
 * {@code platform/user}. A choice that the config no longer allows is kept but ignored, so a later reload that allows
 * it again brings it back. Thread-safe.
 */
final class UserModels {

    private static final Logger log = LoggerFactory.getLogger(UserModels.class);

    private volatile List<Target> allowed;
    private final Map<String, String> defaults = new ConcurrentHashMap<>();

    UserModels(List<Target> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    void reconfigure(List<Target> next) {
        this.allowed = List.copyOf(next);
    }

    List<String> allowed() {
        return allowed.stream().map(Target::id).toList();
    }

    /** The allowed target written {@code provider/model}, or empty. */
    Optional<Target> allowedTarget(String id) {
        return id == null ? Optional.empty() : allowed.stream().filter(t -> t.id().equals(id)).findFirst();
    }

    void setDefault(String platform, String user, String id) {
        if (id == null) {
            defaults.remove(scope(platform, user));
        } else {
            defaults.put(scope(platform, user), id);
        }
        log.info("user default model {} {}", kv("user", scope(platform, user)), kv("target", id));
    }

    Optional<String> defaultOf(String platform, String user) {
        return Optional.ofNullable(defaults.get(scope(platform, user)));
    }

    /** Every default: {@code platform/user} to {@code provider/model}. */
    Map<String, String> defaults() {
        return new TreeMap<>(defaults);
    }

    /** The user's choice that answers first: the thread's, else their default; only while the config allows it. */
    Optional<Target> preferred(String platform, String user, String threadChoice) {
        Optional<Target> inThread = allowedTarget(threadChoice);
        return inThread.isPresent() ? inThread : defaultOf(platform, user).flatMap(this::allowedTarget);
    }

    static String scope(String platform, String user) {
        return platform + "/" + user;
    }
}
