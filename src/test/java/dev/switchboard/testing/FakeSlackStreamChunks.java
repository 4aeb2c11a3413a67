package dev.switchboard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code chunks} and {@code task_display_mode} arguments of Slack's stream methods, as Slack checks them: a JSON
 * array of {@code markdown_text} ({@code text}), {@code task_update} ({@code id}, {@code title}, {@code status} one
 * of pending, in_progress, complete, error; optional {@code details}, {@code output}) and {@code plan_update}
 * ({@code title}) chunks; anything else is {@code invalid_arguments}, text over the limits {@code msg_too_long}.
 * Keeps each stream's tasks, latest status per id, in the order they first came.
 */
public final class FakeSlackStreamChunks {

    /** One task card as a stream shows it now. */
    public record Task(String id, String title, String status, String details, String output) { }

    /** What a {@code chunks} argument adds: Markdown for the text, task updates; or the error Slack answers. */
    record Parsed(String markdown, List<Task> tasks, String error) {
        static Parsed refused(String error) {
            return new Parsed("", List.of(), error);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> STATUSES = Set.of("pending", "in_progress", "complete", "error");
    /** Slack's limit on a task's title, details and output (kept at the documented block text limit). */
    static final int TASK_TEXT_LIMIT = 256;

    private final Map<String, Map<String, Task>> tasks = new ConcurrentHashMap<>();
    private final Map<String, String> modes = new ConcurrentHashMap<>();

    /** Null when {@code mode} (chat.startStream's task_display_mode) is absent or valid; else the error. */
    static String modeProblem(String mode) {
        return mode == null || mode.equals("timeline") || mode.equals("plan") ? null : "invalid_arguments";
    }

    static Parsed parse(String chunks) {
        JsonNode array;
        try {
            array = JSON.readTree(chunks);
        } catch (java.io.IOException e) {
            return Parsed.refused("invalid_arguments");
        }
        if (array == null || !array.isArray() || array.isEmpty()) {
            return Parsed.refused("invalid_arguments");
        }
        StringBuilder markdown = new StringBuilder();
        List<Task> updates = new ArrayList<>();
        for (JsonNode chunk : array) {
            switch (chunk.path("type").asText("")) {
                case "markdown_text" -> {
                    if (!chunk.path("text").isTextual()) {
                        return Parsed.refused("invalid_arguments");
                    }
                    markdown.append(chunk.path("text").textValue());
                }
                case "task_update" -> {
                    String id = text(chunk, "id");
                    String title = text(chunk, "title");
                    String status = text(chunk, "status");
                    if (id == null || id.isBlank() || title == null || title.isBlank() || !STATUSES.contains(status)) {
                        return Parsed.refused("invalid_arguments");
                    }
                    String details = text(chunk, "details");
                    String output = text(chunk, "output");
                    for (String t : new String[] {title, details, output}) {
                        if (t != null && t.length() > TASK_TEXT_LIMIT) {
                            return Parsed.refused("msg_too_long");
                        }
                    }
                    updates.add(new Task(id, title, status, details, output));
                }
                case "plan_update" -> {
                    if (text(chunk, "title") == null) {
                        return Parsed.refused("invalid_arguments");
                    }
                }
                default -> {
                    return Parsed.refused("invalid_arguments");
                }
            }
        }
        if (markdown.length() > FakeSlack.MARKDOWN_LIMIT) {
            return Parsed.refused("msg_too_long");
        }
        return new Parsed(markdown.toString(), List.copyOf(updates), null);
    }

    private static String text(JsonNode chunk, String field) {
        JsonNode v = chunk.get(field);
        return v != null && v.isTextual() ? v.textValue() : null;
    }

    void opened(String channel, String ts, String mode) {
        modes.put(channel + "/" + ts, mode == null ? "timeline" : mode);
    }

    void apply(String channel, String ts, List<Task> updates) {
        Map<String, Task> shown = tasks.computeIfAbsent(channel + "/" + ts, k -> new LinkedHashMap<>());
        synchronized (shown) {
            updates.forEach(t -> shown.put(t.id(), t));
        }
    }

    List<Task> tasks(String channel, String ts) {
        Map<String, Task> shown = tasks.getOrDefault(channel + "/" + ts, Map.of());
        synchronized (shown) {
            return List.copyOf(shown.values());
        }
    }

    String mode(String channel, String ts) {
        return modes.get(channel + "/" + ts);
    }
}
