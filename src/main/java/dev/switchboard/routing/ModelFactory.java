package dev.switchboard.routing;

import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiStreamingChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;

/**
 * Builds the LangChain4j streaming model for a provider and model, on the tapped HTTP client so the
 * router sees statuses, {@code Retry-After} and truncated streams. Thread-safe.
 */
public final class ModelFactory {

    private static final int MAX_OUTPUT_TOKENS = 4_096;

    /** A new client for one model with these settings; {@link ProviderState} keeps one per model it serves. */
    StreamingChatModel model(RouterOptions.Provider provider, String model) {
        return build(provider, model);
    }

    private static StreamingChatModel build(RouterOptions.Provider p, String model) {
        String url = p.baseUrl().toString();
        // Only the response headers are bounded here; first-token, idle and total deadlines are the router's.
        var timeout = p.deadlines().connect();
        String key = p.apiKey().isPresent() ? p.apiKey().value() : "not-needed";
        return switch (p.api()) {
            case OPENAI -> OpenAiStreamingChatModel.builder()
                    .baseUrl(url).apiKey(key).modelName(model).timeout(timeout)
                    .httpClientBuilder(HttpTap.builder()).build();
            case ANTHROPIC -> AnthropicStreamingChatModel.builder()
                    .baseUrl(url).apiKey(key).modelName(model).timeout(timeout).maxTokens(MAX_OUTPUT_TOKENS)
                    .httpClientBuilder(HttpTap.builder()).build();
            case GEMINI -> GoogleAiGeminiStreamingChatModel.builder()
                    .baseUrl(url).apiKey(key).modelName(model).timeout(timeout)
                    .httpClientBuilder(HttpTap.builder()).build();
            case OLLAMA -> OllamaStreamingChatModel.builder()
                    .baseUrl(url).modelName(model).timeout(timeout)
                    .httpClientBuilder(HttpTap.builder()).build();
        };
    }
}
