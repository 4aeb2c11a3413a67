package dev.switchboard.routing;

import dev.langchain4j.model.anthropic.AnthropicModelCatalog;
import dev.langchain4j.model.catalog.ModelDescription;
import dev.langchain4j.model.googleai.GoogleAiGeminiModelCatalog;
import dev.langchain4j.model.ollama.OllamaModel;
import dev.langchain4j.model.ollama.OllamaModels;
import dev.langchain4j.model.openai.OpenAiModelCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The models a provider serves, from its models endpoint through LangChain4j's model catalogs: OpenAI and Anthropic
 * {@code GET {base_url}/models}, Gemini {@code GET {base_url}/models} (every page), Ollama {@code GET /api/tags}.
 * Each call uses the provider's base URL, key and connect timeout, and is made once, without retries. Stateless.
 */
final class ModelCatalogs {

    /** How long the list may take once connected: it is one small JSON document. */
    private static final Duration READ = Duration.ofSeconds(30);

    private ModelCatalogs() {
    }

    /** The model ids the provider lists, in its order. @throws RuntimeException when it cannot be asked or refuses */
    static List<String> served(RouterOptions.Provider p) {
        String url = p.baseUrl().toString();
        String key = p.apiKey().isPresent() ? p.apiKey().value() : "not-needed";
        Duration timeout = p.deadlines().connect().plus(READ);
        return switch (p.api()) {
            case OPENAI -> names(OpenAiModelCatalog.builder().baseUrl(url).apiKey(key)
                    .httpClientBuilder(http(p)).connectTimeout(p.deadlines().connect()).readTimeout(timeout)
                    .build().listModels());
            // Anthropic's list answers its first page (20 models by default), newest first.
            case ANTHROPIC -> names(AnthropicModelCatalog.builder().baseUrl(url).apiKey(key)
                    .httpClientBuilder(http(p)).timeout(timeout).build().listModels());
            case GEMINI -> names(GoogleAiGeminiModelCatalog.builder().baseUrl(url).apiKey(key)
                    .httpClientBuilder(http(p)).timeout(timeout).build().listModels());
            case OLLAMA -> OllamaModels.builder().baseUrl(url).httpClientBuilder(http(p)).timeout(timeout)
                    .maxRetries(0).build().availableModels().content().stream().map(OllamaModel::getName).toList();
        };
    }

    /**
     * Whether {@code configured} is among the served models. Ollama lists tags in full ({@code llama3.2:latest}), and a
     * name without a tag means {@code :latest}; Gemini ids may carry the {@code models/} prefix.
     */
    static boolean serves(List<String> served, String configured) {
        String wanted = configured.toLowerCase(Locale.ROOT);
        for (String s : served) {
            String id = s.toLowerCase(Locale.ROOT);
            id = id.startsWith("models/") ? id.substring("models/".length()) : id;
            if (id.equals(wanted) || id.equals(wanted + ":latest")) {
                return true;
            }
        }
        return false;
    }

    private static dev.langchain4j.http.client.HttpClientBuilder http(RouterOptions.Provider p) {
        return HttpTap.builder().connectTimeout(p.deadlines().connect())
                .readTimeout(p.deadlines().connect().plus(READ));
    }

    private static List<String> names(List<ModelDescription> models) {
        return models.stream().map(ModelDescription::name).toList();
    }
}
