package dev.switchboard.routing;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What well-known models read beside text, matched by model id prefix, beside {@link ContextWindows}: whether they
 * see images, whether their provider takes a PDF as a document, and the longest image edge worth sending (larger
 * images are scaled down first). A provider's {@code capabilities} in the config win per model. Stateless.
 */
final class ModelCapabilities {

    /**
     * @param vision sees images
     * @param documents takes PDFs as documents (else it gets their extracted text)
     * @param maxImageEdge the longest image edge sent, in pixels
     */
    record Capabilities(boolean vision, boolean documents, int maxImageEdge) { }

    private static final List<String> VISION_PREFIXES = List.of(
            "gpt-4o", "gpt-4.1", "gpt-4-turbo", "gpt-5", "o1", "o3", "o4", "chatgpt-4o",
            "claude-3", "claude-sonnet", "claude-opus", "claude-haiku", "claude-4",
            "gemini",
            "llava", "bakllava", "llama3.2-vision", "llama4", "gemma3", "qwen2.5vl", "qwen2.5-vl", "qwen3-vl",
            "minicpm-v", "moondream", "granite3.2-vision", "mistral-small3");
    private static final List<String> NO_VISION = List.of("o1-mini", "o3-mini", "gpt-4o-audio", "gpt-4o-realtime");

    private ModelCapabilities() {
    }

    static Capabilities of(RouterOptions.Api api, String model, Map<String, RouterOptions.Capability> configured) {
        String m = model.toLowerCase(Locale.ROOT);
        boolean vision = VISION_PREFIXES.stream().anyMatch(m::startsWith) && NO_VISION.stream().noneMatch(m::startsWith);
        boolean documents = vision && api != RouterOptions.Api.OLLAMA;
        int edge = switch (api) {
            case OPENAI -> 2048;
            case ANTHROPIC -> 1568;
            case GEMINI -> 3072;
            case OLLAMA -> 1024;
        };
        RouterOptions.Capability override = configured.get(model);
        if (override != null) {
            vision = override.vision() != null ? override.vision() : vision;
            documents = override.documents() != null ? override.documents() : documents;
            edge = override.maxImageEdge() != null ? override.maxImageEdge() : edge;
        }
        return new Capabilities(vision, documents && api != RouterOptions.Api.OLLAMA, edge);
    }

    /** Tokens an image of this size costs, by the provider's own published rule (an estimate). */
    static int imageTokens(RouterOptions.Api api, int width, int height) {
        return switch (api) {
            // Anthropic: about width × height / 750.
            case ANTHROPIC -> Math.max(1, width * height / 750);
            // OpenAI (high detail): fit 2048, shortest side 768, then 170 per 512-pixel tile plus 85.
            case OPENAI -> {
                double scale = Math.min(1, 2048.0 / Math.max(width, height));
                double w = width * scale;
                double h = height * scale;
                double shrink = Math.min(1, 768.0 / Math.min(w, h));
                int tiles = (int) (Math.ceil(w * shrink / 512) * Math.ceil(h * shrink / 512));
                yield 85 + 170 * tiles;
            }
            // Gemini: 258 for a small image, else 258 per 768-pixel tile.
            case GEMINI -> width <= 384 && height <= 384 ? 258
                    : 258 * (int) (Math.ceil(width / 768.0) * Math.ceil(height / 768.0));
            // Ollama's vision models: a fixed grid of patches, about 576 tokens.
            case OLLAMA -> 576;
        };
    }
}
