package dev.switchboard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Tool calls as each API streams them, for {@link FakeProvider}: OpenAI {@code tool_calls} deltas (arguments in two
 * pieces), Anthropic {@code tool_use} blocks with {@code input_json_delta}, a Gemini {@code functionCall} part, Ollama
 * {@code tool_calls}. And the other way: the tool results a request sends back, in each API's format.
 */
public final class FakeToolCalls {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One call the fake model asks for; {@code arguments} is a JSON object. */
    public record Call(String id, String name, String arguments) {
    }

    /** A tool result found in a request: the call id (or, for Gemini and Ollama, the tool name) and its text. */
    public record Result(String idOrName, String text) {
    }

    interface Raw {
        void write(String text) throws IOException;
    }

    private FakeToolCalls() {
    }

    static void write(FakeProvider.Api api, String model, List<Call> calls, Raw raw, boolean openAiUsage)
            throws IOException {
        switch (api) {
            case OPENAI -> {
                for (int i = 0; i < calls.size(); i++) {
                    Call c = calls.get(i);
                    ObjectNode first = JSON.createObjectNode();
                    first.put("index", i).put("id", c.id()).put("type", "function").putObject("function")
                            .put("name", c.name()).put("arguments", "");
                    raw.write(openAi(model, first, null));
                    int half = c.arguments().length() / 2;
                    for (String piece : List.of(c.arguments().substring(0, half), c.arguments().substring(half))) {
                        ObjectNode more = JSON.createObjectNode().put("index", i);
                        more.putObject("function").put("arguments", piece);
                        raw.write(openAi(model, more, null));
                    }
                }
                raw.write(openAi(model, null, "tool_calls"));
                if (openAiUsage) {
                    ObjectNode usage = JSON.createObjectNode().put("id", "chatcmpl-fake")
                            .put("object", "chat.completion.chunk").put("created", 1).put("model", model);
                    usage.putArray("choices");
                    usage.putObject("usage").put("prompt_tokens", 12).put("completion_tokens", 5)
                            .put("total_tokens", 17);
                    raw.write("data: " + usage + "\n\n");
                }
                raw.write("data: [DONE]\n\n");
            }
            case ANTHROPIC -> {
                raw.write(event("content_block_stop", JSON.createObjectNode().put("type", "content_block_stop")
                        .put("index", 0)));
                for (int i = 0; i < calls.size(); i++) {
                    Call c = calls.get(i);
                    ObjectNode start = JSON.createObjectNode().put("type", "content_block_start").put("index", i + 1);
                    start.putObject("content_block").put("type", "tool_use").put("id", c.id()).put("name", c.name())
                            .putObject("input");
                    raw.write(event("content_block_start", start));
                    int half = c.arguments().length() / 2;
                    for (String piece : List.of(c.arguments().substring(0, half), c.arguments().substring(half))) {
                        ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta")
                                .put("index", i + 1);
                        delta.putObject("delta").put("type", "input_json_delta").put("partial_json", piece);
                        raw.write(event("content_block_delta", delta));
                    }
                    raw.write(event("content_block_stop", JSON.createObjectNode().put("type", "content_block_stop")
                            .put("index", i + 1)));
                }
                ObjectNode delta = JSON.createObjectNode().put("type", "message_delta");
                delta.putObject("delta").put("stop_reason", "tool_use").putNull("stop_sequence");
                delta.putObject("usage").put("output_tokens", 5);
                raw.write(event("message_delta", delta));
                raw.write(event("message_stop", JSON.createObjectNode().put("type", "message_stop")));
            }
            case GEMINI -> {
                ObjectNode response = JSON.createObjectNode();
                ObjectNode candidate = response.putArray("candidates").addObject();
                var parts = candidate.putObject("content").put("role", "model").putArray("parts");
                for (Call c : calls) {
                    parts.addObject().putObject("functionCall").put("name", c.name())
                            .set("args", JSON.readTree(c.arguments()));
                }
                candidate.put("finishReason", "STOP").put("index", 0);
                response.putObject("usageMetadata").put("promptTokenCount", 12).put("candidatesTokenCount", 5)
                        .put("totalTokenCount", 17);
                response.put("modelVersion", model);
                raw.write("data: " + response + "\n\n");
            }
            case OLLAMA -> {
                ObjectNode line = JSON.createObjectNode().put("model", model)
                        .put("created_at", "2026-11-24T00:00:00Z");
                ObjectNode message = line.putObject("message").put("role", "assistant").put("content", "");
                var toolCalls = message.putArray("tool_calls");
                for (Call c : calls) {
                    toolCalls.addObject().putObject("function").put("name", c.name())
                            .set("arguments", JSON.readTree(c.arguments()));
                }
                line.put("done", false);
                raw.write(line + "\n");
                ObjectNode done = JSON.createObjectNode().put("model", model)
                        .put("created_at", "2026-11-24T00:00:00Z");
                done.putObject("message").put("role", "assistant").put("content", "");
                done.put("done", true).put("done_reason", "stop").put("total_duration", 1000)
                        .put("prompt_eval_count", 12).put("eval_count", 5);
                raw.write(done + "\n");
            }
        }
    }

    private static String openAi(String model, ObjectNode toolCall, String finishReason) {
        ObjectNode chunk = JSON.createObjectNode().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk")
                .put("created", 1).put("model", model);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (toolCall != null) {
            delta.putArray("tool_calls").add(toolCall);
        }
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return "data: " + chunk + "\n\n";
    }

    private static String event(String name, JsonNode json) {
        return "event: " + name + "\ndata: " + json + "\n\n";
    }

    /** The tool results a request carries, in order, read from its API's own format. */
    public static List<Result> results(FakeProvider.Received request) {
        List<Result> out = new ArrayList<>();
        JsonNode body = request.body();
        switch (request.api()) {
            case OPENAI -> body.path("messages").forEach(m -> {
                if ("tool".equals(m.path("role").asText())) {
                    out.add(new Result(m.path("tool_call_id").asText(), m.path("content").asText()));
                }
            });
            case ANTHROPIC -> body.path("messages").forEach(m -> m.path("content").forEach(block -> {
                if ("tool_result".equals(block.path("type").asText())) {
                    JsonNode content = block.path("content");
                    out.add(new Result(block.path("tool_use_id").asText(), content.isTextual() ? content.asText()
                            : content.path(0).path("text").asText()));
                }
            }));
            case GEMINI -> body.path("contents").forEach(c -> c.path("parts").forEach(part -> {
                JsonNode response = part.path("functionResponse");
                if (!response.isMissingNode()) {
                    JsonNode r = response.path("response");
                    out.add(new Result(response.path("name").asText(), r.has("response")
                            ? r.path("response").asText() : r.toString()));
                }
            }));
            case OLLAMA -> body.path("messages").forEach(m -> {
                if ("tool".equals(m.path("role").asText())) {
                    out.add(new Result(m.path("tool_name").asText(""), m.path("content").asText()));
                }
            });
        }
        return out;
    }

    /** The names of the tools a request offers, in any of the four formats. */
    public static List<String> offered(FakeProvider.Received request) {
        List<String> out = new ArrayList<>();
        JsonNode body = request.body();
        switch (request.api()) {
            case OPENAI -> body.path("tools").forEach(t -> out.add(t.path("function").path("name").asText()));
            case ANTHROPIC -> body.path("tools").forEach(t -> out.add(t.path("name").asText()));
            case GEMINI -> body.path("tools").forEach(t -> t.path("functionDeclarations")
                    .forEach(f -> out.add(f.path("name").asText())));
            case OLLAMA -> body.path("tools").forEach(t -> out.add(t.path("function").path("name").asText()));
        }
        return out;
    }
}
