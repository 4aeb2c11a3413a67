package dev.switchboard.config;

import static dev.switchboard.config.Values.copy;
import static dev.switchboard.config.Values.lowerCaseEnum;
import static dev.switchboard.config.Values.positive;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code providers} section: each provider with its timeouts, retry and breaker. Reached as
 * {@code SwitchboardConfig.Provider} and so on (see {@link PlatformSections}). Immutable.
 */
public interface ProviderSections {

    /** The wire protocol a provider speaks. */
    public enum ProviderType {
        OPENAI("https://api.openai.com/v1", true),
        ANTHROPIC("https://api.anthropic.com/v1", true),
        GEMINI("https://generativelanguage.googleapis.com/v1beta", true),
        OLLAMA("http://localhost:11434", false);

        private final String defaultBaseUrl;
        private final boolean needsKey;

        ProviderType(String defaultBaseUrl, boolean needsKey) {
            this.defaultBaseUrl = defaultBaseUrl;
            this.needsKey = needsKey;
        }

        public URI defaultBaseUrl() {
            return URI.create(defaultBaseUrl);
        }

        public boolean needsKey() {
            return needsKey;
        }

        @com.fasterxml.jackson.annotation.JsonValue
        String yaml() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        static ProviderType parse(String value) {
            return lowerCaseEnum(ProviderType.class, value);
        }
    }

    /**
     * One LLM provider.
     *
     * @param type the wire protocol; {@code openai} also covers OpenAI-compatible servers
     * @param enabled auto (on when its key is set, or always for ollama), true (required) or false
     * @param apiKey the key, from the environment
     * @param baseUrl where the API lives (Azure, OpenRouter, vLLM, LM Studio, llama.cpp or a fake)
     * @param models the models routes may use here
     * @param contextWindows tokens per model where the built-in table does not know it
     * @param prices cost per million tokens, per model, for usage reports
     * @param connectTimeout limit on connecting and on the response headers
     * @param firstTokenTimeout limit from the request to the first token
     * @param idleTimeout limit between two chunks of a stream
     * @param totalTimeout limit on a whole reply
     * @param maxConcurrentStreams streams open at once before new ones wait or fall back
     * @param retry retries before the first token
     * @param breaker the circuit breaker that takes a failing provider out of rotation
     * @param capabilities what models read beside text (vision, documents, max_image_edge), per model, where the
     *     built-in table is wrong or silent
     */
    public record Provider(ProviderType type, Toggle enabled, Secret apiKey, URI baseUrl, List<String> models,
                           Map<String, Integer> contextWindows, Map<String, Price> prices, Duration connectTimeout,
                           Duration firstTokenTimeout, Duration idleTimeout, Duration totalTimeout,
                           Integer maxConcurrentStreams, Retry retry, Breaker breaker,
                           Map<String, Capability> capabilities) {
        public Provider {
            capabilities = capabilities == null ? Map.of() : Map.copyOf(capabilities);
            if (type == null) {
                throw new ConfigValueException("type", "is missing", "set type: openai, anthropic, gemini or ollama");
            }
            enabled = enabled != null ? enabled : Toggle.AUTO;
            apiKey = apiKey != null ? apiKey : Secret.none();
            baseUrl = baseUrl != null ? baseUrl : type.defaultBaseUrl();
            models = copy(models);
            contextWindows = contextWindows == null ? Map.of() : Map.copyOf(contextWindows);
            prices = prices == null ? Map.of() : Map.copyOf(prices);
            connectTimeout = positive("connect_timeout", connectTimeout, Duration.ofSeconds(10));
            firstTokenTimeout = positive("first_token_timeout", firstTokenTimeout, Duration.ofSeconds(30));
            idleTimeout = positive("idle_timeout", idleTimeout, Duration.ofSeconds(30));
            totalTimeout = positive("total_timeout", totalTimeout, Duration.ofMinutes(5));
            maxConcurrentStreams = maxConcurrentStreams != null ? maxConcurrentStreams : 512;
            retry = retry != null ? retry : new Retry(null, null, null);
            breaker = breaker != null ? breaker : new Breaker(null, null, null, null);
            if (models.isEmpty()) {
                throw new ConfigValueException("models", "lists no model", "add at least one, e.g. models: [gpt-5.4-mini]");
            }
            if (maxConcurrentStreams < 1) {
                throw new ConfigValueException("max_concurrent_streams", "must be at least 1", "write e.g. 512");
            }
            String scheme = baseUrl.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                throw new ConfigValueException("base_url", "must be an http or https URL", "write e.g. "
                        + type.defaultBaseUrl());
            }
        }

        /** Without capability overrides. */
        public Provider(ProviderType type, Toggle enabled, Secret apiKey, URI baseUrl, List<String> models,
                        Map<String, Integer> contextWindows, Map<String, Price> prices, Duration connectTimeout,
                        Duration firstTokenTimeout, Duration idleTimeout, Duration totalTimeout,
                        Integer maxConcurrentStreams, Retry retry, Breaker breaker) {
            this(type, enabled, apiKey, baseUrl, models, contextWindows, prices, connectTimeout, firstTokenTimeout,
                    idleTimeout, totalTimeout, maxConcurrentStreams, retry, breaker, null);
        }

        public boolean active() {
            return enabled != Toggle.OFF && (!type.needsKey() || apiKey.isPresent());
        }
    }

    /** US dollars per million tokens in and out. */
    public record Price(Double input, Double output) {
        public Price {
            input = input != null ? input : 0.0;
            output = output != null ? output : 0.0;
            if (input < 0 || output < 0) {
                throw new ConfigValueException("input", "prices must not be negative", "write e.g. input: 0.15");
            }
        }
    }

    /** Attempts per target before moving on, with exponential backoff and jitter; Retry-After wins when longer. */
    public record Retry(Integer maxAttempts, Duration initialDelay, Duration maxDelay) {
        public Retry {
            maxAttempts = maxAttempts != null ? maxAttempts : 2;
            initialDelay = positive("initial_delay", initialDelay, Duration.ofMillis(250));
            maxDelay = positive("max_delay", maxDelay, Duration.ofSeconds(4));
            if (maxAttempts < 1) {
                throw new ConfigValueException("max_attempts", "must be at least 1 (1 means no retry)", "write e.g. 2");
            }
            if (maxDelay.compareTo(initialDelay) < 0) {
                throw new ConfigValueException("max_delay", "is shorter than initial_delay", "raise max_delay");
            }
        }
    }

    /**
     * Opens when {@code failureRate} percent of the calls within {@code window} failed, once at least
     * {@code minimumCalls} were made; after {@code openFor} one probe call decides whether it closes.
     */
    public record Breaker(Integer failureRate, Integer minimumCalls, Duration window, Duration openFor) {
        public Breaker {
            failureRate = failureRate != null ? failureRate : 50;
            minimumCalls = minimumCalls != null ? minimumCalls : 5;
            window = positive("window", window, Duration.ofMinutes(1));
            openFor = positive("open_for", openFor, Duration.ofSeconds(30));
            if (failureRate < 1 || failureRate > 100) {
                throw new ConfigValueException("failure_rate", "must be a percentage from 1 to 100", "write e.g. 50");
            }
            if (minimumCalls < 1) {
                throw new ConfigValueException("minimum_calls", "must be at least 1", "write e.g. minimum_calls: 5");
            }
        }
    }

    /**
     * One model's capabilities beside text, overriding the built-in table; an unset key keeps the table's answer.
     *
     * @param vision whether it sees images
     * @param documents whether its provider takes PDFs as documents (Anthropic, Gemini, OpenAI; never Ollama)
     * @param maxImageEdge the longest image edge sent, in pixels: larger images are scaled down first
     */
    record Capability(Boolean vision, Boolean documents, Integer maxImageEdge) {
        public Capability {
            if (maxImageEdge != null && maxImageEdge < 64) {
                throw new ConfigValueException("max_image_edge", "must be at least 64 pixels", "write e.g. 1568");
            }
        }
    }
}
