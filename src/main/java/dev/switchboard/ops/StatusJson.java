package dev.switchboard.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.routing.ProviderStats;
import dev.switchboard.routing.Router;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import dev.switchboard.json.Json;

/**
 * The status as {@code /status.json} and the status page read it: times as ISO-8601 text, durations in whole
 * milliseconds, absent values as null. The field names are a contract with the page and with scripts; add, never
 * rename.
 */
final class StatusJson {

    private static final ObjectMapper MAPPER = Json.plain();

    private StatusJson() {
    }

    static String write(Status status) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("at", text(status.at()));
        providers(root.putArray("providers"), status.providers());
        adapters(root.putArray("adapters"), status.adapters());
        store(root, status);
        active(root.putArray("active"), status.active());
        fallbacks(root.putArray("fallbacks"), status.fallbacks());
        for (var f : status.feedback()) {
            ObjectNode n = root.withArray("feedback").addObject();
            n.put("provider", f.provider());
            n.put("model", f.model());
            n.put("good", f.good());
            n.put("bad", f.bad());
            n.put("good_percent", f.goodPercent());
        }
        root.withArray("feedback");
        nodes(root.putArray("nodes"), status.nodes());
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the status could not be written as JSON", e);
        }
    }

    private static void providers(ArrayNode out, List<Status.Provider> providers) {
        for (Status.Provider p : providers) {
            ObjectNode n = out.addObject();
            n.put("name", p.name());
            n.put("health", p.health().name().toLowerCase(Locale.ROOT));
            n.put("unavailable", p.unavailable());
            n.put("breaker", p.breaker());
            n.put("last_failure", p.lastFailure() == null || p.lastFailure().isEmpty() ? null : p.lastFailure());
            n.put("last_failure_at", text(p.lastFailureAt()));
            ProviderStats.Summary h = p.lastHour();
            n.put("tries", h.tries());
            n.put("failed", h.failed());
            n.put("error_rate", h.errorRate());
            putMillis(n, "first_token_p50_ms", h.firstTokenP50());
            putMillis(n, "first_token_p95_ms", h.firstTokenP95());
            n.put("streams_open", p.streams().open());
            n.put("streams_limit", p.streams().limit());
            n.put("queued", p.streams().waiting());
            putMillis(n, "queued_longest_ms", p.streams().oldestWait());
            ArrayNode minutes = n.putArray("minutes");
            for (ProviderStats.Point point : p.perMinute()) {
                ObjectNode m = minutes.addObject();
                m.put("at", text(point.minute()));
                m.put("tries", point.tries());
                m.put("failed", point.failed());
                putOptional(m, "p50_ms", point.p50Millis());
                putOptional(m, "p95_ms", point.p95Millis());
            }
        }
    }

    private static void adapters(ArrayNode out, List<Status.Adapter> adapters) {
        for (Status.Adapter a : adapters) {
            ObjectNode n = out.addObject();
            n.put("name", a.name());
            n.put("connected", a.connected());
            n.put("link", a.link());
            putMillis(n, "latency_ms", a.latency());
        }
    }

    private static void nodes(ArrayNode out, List<Status.Node> nodes) {
        for (Status.Node node : nodes) {
            ObjectNode n = out.addObject();
            n.put("id", node.id());
            n.put("here", node.here());
            n.put("alive", node.alive());
            putMillis(n, "since_beat_ms", node.sinceBeat());
            putMillis(n, "up_ms", node.up());
            n.put("load", node.load());
            n.put("serves", node.serves());
        }
    }

    private static void store(ObjectNode root, Status status) {
        ObjectNode backend = root.putObject("store_backend");
        backend.put("name", status.backend().name());
        backend.put("up", status.backend().up());
        backend.put("problem", status.backend().problem());
        if (status.store() == null) {
            root.putNull("store");
            return;
        }
        ObjectNode store = root.putObject("store");
        store.put("conversations", status.store().conversations());
        store.put("bytes", status.store().bytes());
        store.put("quarantined", status.store().quarantined());
        store.put("cached", status.store().cachedConversations());
    }

    private static void active(ArrayNode out, List<Router.Active> active) {
        for (Router.Active a : active) {
            ObjectNode n = out.addObject();
            n.put("conversation", a.conversation());
            n.put("channel_name", a.channelName());
            n.put("target", a.target());
            n.put("started", text(a.started()));
            n.put("chars", a.chars());
        }
    }

    private static void fallbacks(ArrayNode out, List<ProviderStats.Fallback> fallbacks) {
        for (ProviderStats.Fallback f : fallbacks) {
            ObjectNode n = out.addObject();
            n.put("at", text(f.at()));
            n.put("conversation", f.conversation());
            n.put("channel_name", f.channelName());
            n.put("from", f.from());
            n.put("failure", f.failure());
            n.put("to", f.to());
        }
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }

    private static void putMillis(ObjectNode node, String name, Duration d) {
        if (d == null) {
            node.putNull(name);
        } else {
            node.put(name, d.toMillis());
        }
    }

    private static void putOptional(ObjectNode node, String name, long value) {
        if (value < 0) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }
}
