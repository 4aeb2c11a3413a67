package dev.switchboard.routing;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the router needs to know: its providers and its routes, built from the config by the composition root, so
 * routing does not know the file's schema. Immutable.
 *
 * @param providers by name, in config order
 * @param defaultRoute the route used where no override applies
 * @param routes named routes
 * @param overrides routes and prompts for particular workspaces or channels
 * @param stopOnContentFilter whether a provider's content refusal ends the reply (else the next target is tried)
 * @param midStreamFallback whether a reply that fails after tokens were shown is replaced by the next target's
 * @param userModels the models users may choose to answer them first ({@code /model}), in config order
 * @param compareModels the models a comparison asks when the user names none; empty or two to three
 */
public record RouterOptions(Map<String, Provider> providers, String defaultRoute, Map<String, Route> routes,
                            List<Override> overrides, boolean stopOnContentFilter, boolean midStreamFallback,
                            List<Target> userModels, List<Target> compareModels) {

    public RouterOptions {
        userModels = List.copyOf(userModels);
        compareModels = List.copyOf(compareModels);
        providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        routes = Collections.unmodifiableMap(new LinkedHashMap<>(routes));
        overrides = List.copyOf(overrides);
        Objects.requireNonNull(defaultRoute, "defaultRoute");
    }

    /** The wire protocol a provider speaks; {@code OPENAI} also covers OpenAI-compatible servers. */
    public enum Api { OPENAI, ANTHROPIC, GEMINI, OLLAMA }

    /**
     * One provider.
     *
     * @param api its wire protocol
     * @param active whether it is on (enabled, and its key set where it needs one)
     * @param baseUrl where its API lives
     * @param apiKey its key, or empty
     * @param models the models routes may use
     * @param contextWindows tokens per model where the built-in table does not know it
     * @param prices US dollars per million tokens, per model
     * @param deadlines its time limits
     * @param maxConcurrentStreams streams open at once before new ones wait in line for one
     * @param retry retries before the first token
     * @param breaker its circuit breaker
     * @param capabilities what models read beside text, per model, where the built-in table is wrong or silent
     */
    public record Provider(Api api, boolean active, URI baseUrl, ApiKey apiKey, List<String> models,
                           Map<String, Integer> contextWindows, Map<String, Price> prices, Deadlines deadlines,
                           int maxConcurrentStreams, Retry retry, Breaker breaker,
                           Map<String, Capability> capabilities) {
        public Provider {
            models = List.copyOf(models);
            contextWindows = Map.copyOf(contextWindows);
            prices = Map.copyOf(prices);
            capabilities = capabilities == null ? Map.of() : Map.copyOf(capabilities);
        }

        /** Without capability overrides: the built-in table decides. */
        public Provider(Api api, boolean active, URI baseUrl, ApiKey apiKey, List<String> models,
                        Map<String, Integer> contextWindows, Map<String, Price> prices, Deadlines deadlines,
                        int maxConcurrentStreams, Retry retry, Breaker breaker) {
            this(api, active, baseUrl, apiKey, models, contextWindows, prices, deadlines, maxConcurrentStreams, retry,
                    breaker, Map.of());
        }
    }

    /**
     * One model's capabilities as the config sets them; null leaves the built-in table's answer.
     *
     * @param vision whether it sees images
     * @param documents whether it takes PDFs as documents (never for Ollama)
     * @param maxImageEdge the longest image edge sent, in pixels; larger images are scaled down
     */
    public record Capability(Boolean vision, Boolean documents, Integer maxImageEdge) {
        public Capability {
            if (maxImageEdge != null && maxImageEdge < 64) {
                throw new IllegalArgumentException("max_image_edge must be at least 64 pixels, was " + maxImageEdge);
            }
        }
    }

    /** A provider's key; its {@code toString} never shows it. */
    public record ApiKey(String value) {
        public ApiKey {
            value = value == null ? "" : value;
        }

        boolean isPresent() {
            return !value.isEmpty();
        }

        @java.lang.Override
        public String toString() {
            return isPresent() ? "****" : "";
        }
    }

    /**
     * A provider's time limits.
     *
     * @param connect connecting and the response headers
     * @param firstToken from the request to the first token
     * @param idle between two chunks
     * @param total a whole attempt
     */
    public record Deadlines(Duration connect, Duration firstToken, Duration idle, Duration total) { }

    /** US dollars per million tokens in and out. */
    public record Price(double input, double output) { }

    /** Attempts per target, with exponential backoff and jitter between {@code initialDelay} and {@code maxDelay}. */
    public record Retry(int maxAttempts, Duration initialDelay, Duration maxDelay) { }

    /**
     * Opens when {@code failureRate} percent of the calls within {@code window} failed, once at least
     * {@code minimumCalls} were made; after {@code openFor} one probe decides whether it closes.
     */
    public record Breaker(int failureRate, int minimumCalls, Duration window, Duration openFor) { }

    /** Targets tried by priority, and the system prompt. */
    public record Route(List<Target> targets, String systemPrompt) {
        public Route {
            targets = List.copyOf(targets);
        }
    }

    /** A route or prompt for one place; {@code channel} empty applies to the whole workspace or guild. */
    public record Override(String platform, String workspace, String channel, String route, String systemPrompt) { }
}
