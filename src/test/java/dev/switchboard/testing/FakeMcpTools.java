package dev.switchboard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The tools of the fake MCP server and its JSON-RPC 2.0 answers, shared by the stdio and the HTTP transport:
 * {@code echo} answers, {@code add} adds, {@code fail} fails, {@code hang} never answers, {@code huge} returns as many
 * characters as asked, {@code mention} returns text that would ping a whole channel, {@code add_note} has a side
 * effect and counts its calls, {@code crash} ends the process (stdio only). Thread-safe.
 */
final class FakeMcpTools {

    static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicInteger notes = new AtomicInteger();
    private final AtomicInteger listed = new AtomicInteger();
    private final Path counterFile;
    private final Runnable crash;

    /**
     * @param counterFile where {@code add_note} appends a line per call (a child process's count), or null
     * @param crash what {@code crash} does
     */
    FakeMcpTools(Path counterFile, Runnable crash) {
        this.counterFile = counterFile;
        this.crash = crash;
    }

    int notes() {
        return notes.get();
    }

    int listed() {
        return listed.get();
    }

    /** The response to one JSON-RPC message, or null for a notification. */
    JsonNode handle(JsonNode message) {
        if (!message.has("id") || message.get("id").isNull()) {
            return null;
        }
        ObjectNode response = JSON.createObjectNode().put("jsonrpc", "2.0");
        response.set("id", message.get("id"));
        String method = message.path("method").asText();
        JsonNode params = message.path("params");
        switch (method) {
            case "initialize" -> {
                ObjectNode result = response.putObject("result");
                result.put("protocolVersion", params.path("protocolVersion").asText("2025-06-18"));
                result.putObject("capabilities").putObject("tools").put("listChanged", false);
                result.putObject("serverInfo").put("name", "fake-mcp").put("version", "1.0");
            }
            case "ping" -> response.putObject("result");
            case "tools/list" -> {
                listed.incrementAndGet();
                response.set("result", toolList());
            }
            case "tools/call" -> response.set("result", call(params.path("name").asText(),
                    params.path("arguments")));
            default -> response.putObject("error").put("code", -32601).put("message", "no method " + method);
        }
        return response;
    }

    private static JsonNode toolList() {
        ObjectNode result = JSON.createObjectNode();
        var tools = result.putArray("tools");
        tool(tools.addObject(), "echo", "Says the text back.", "text", "string");
        tool(tools.addObject(), "add", "Adds two numbers.", "a", "number", "b", "number");
        tool(tools.addObject(), "fail", "Always fails.");
        tool(tools.addObject(), "hang", "Never answers.");
        tool(tools.addObject(), "huge", "Returns that many characters.", "chars", "integer");
        tool(tools.addObject(), "mention", "Returns text with mentions.");
        tool(tools.addObject(), "add_note", "Adds a note (a side effect).", "text", "string");
        tool(tools.addObject(), "crash", "Ends the server process.");
        return result;
    }

    private static void tool(ObjectNode tool, String name, String description, String... params) {
        tool.put("name", name).put("description", description);
        ObjectNode schema = tool.putObject("inputSchema").put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        var required = schema.putArray("required");
        for (int i = 0; i < params.length; i += 2) {
            properties.putObject(params[i]).put("type", params[i + 1]);
            required.add(params[i]);
        }
    }

    private JsonNode call(String name, JsonNode args) {
        return switch (name) {
            case "echo" -> text("echo: " + args.path("text").asText(), false);
            case "add" -> text(Long.toString(args.path("a").asLong() + args.path("b").asLong()), false);
            case "fail" -> text("the fake tool failed on purpose", true);
            case "hang" -> {
                LockSupport.parkNanos(600_000_000_000L);
                yield text("woke up", false);
            }
            case "huge" -> text("x".repeat(args.path("chars").asInt(100_000)), false);
            case "mention" -> text("Ping <!channel> and @everyone and <@U999> please", false);
            case "add_note" -> {
                int n = notes.incrementAndGet();
                if (counterFile != null) {
                    try {
                        Files.writeString(counterFile, "note\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        yield text("could not note: " + e.getMessage(), true);
                    }
                }
                yield text("noted #" + n + ": " + args.path("text").asText(), false);
            }
            case "crash" -> {
                crash.run();
                yield text("crashed", true);
            }
            default -> text("no tool " + name, true);
        };
    }

    private static JsonNode text(String text, boolean error) {
        ObjectNode result = JSON.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", text);
        result.put("isError", error);
        return result;
    }
}
