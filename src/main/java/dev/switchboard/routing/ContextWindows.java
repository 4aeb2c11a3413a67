package dev.switchboard.routing;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Context windows of well-known models, in tokens, matched by the longest known prefix of the model id. A provider's
 * {@code context_windows} in the config wins; an unknown model gets a cautious 8,192.
 */
final class ContextWindows {

    static final int UNKNOWN = 8_192;

    private static final Map<String, Integer> KNOWN = new LinkedHashMap<>();

    static {
        // Sources, as read 2026-12-02: developers.openai.com/api/docs/models (GPT-5.x: 400,000; GPT-4.1: 1,047,576),
        // platform.claude.com "Models overview" (Haiku 4.5: 200K; Sonnet and Opus 4.6 and later: 1M),
        // ai.google.dev/gemini-api/docs/models (Gemini 2.x and 3.x: 1,048,576 input tokens). Longest prefix wins.
        KNOWN.put("gpt-4.1", 1_047_576);
        KNOWN.put("gpt-4o", 128_000);
        KNOWN.put("gpt-4-turbo", 128_000);
        KNOWN.put("gpt-4", 8_192);
        KNOWN.put("gpt-5", 400_000);
        KNOWN.put("gpt-3.5-turbo", 16_385);
        KNOWN.put("o1", 200_000);
        KNOWN.put("o3", 200_000);
        KNOWN.put("o4", 200_000);
        KNOWN.put("claude", 200_000);
        KNOWN.put("claude-sonnet-4-6", 1_000_000);
        KNOWN.put("claude-opus-4-6", 1_000_000);
        KNOWN.put("claude-opus-4-7", 1_000_000);
        KNOWN.put("gemini-1.5-pro", 2_097_152);
        KNOWN.put("gemini-1.5", 1_048_576);
        KNOWN.put("gemini-2", 1_048_576);
        KNOWN.put("gemini-3", 1_048_576);
        KNOWN.put("gemini", 32_768);
        // Ollama serves models with a small default num_ctx unless told otherwise.
        KNOWN.put("llama", 8_192);
        KNOWN.put("mistral", 32_768);
        KNOWN.put("qwen", 32_768);
    }

    private ContextWindows() {
    }

    static int of(String model, Map<String, Integer> configured) {
        Integer exact = configured.get(model);
        if (exact != null) {
            return exact;
        }
        String m = model.toLowerCase(Locale.ROOT);
        String best = null;
        for (String prefix : KNOWN.keySet()) {
            if (m.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best == null ? UNKNOWN : KNOWN.get(best);
    }
}
