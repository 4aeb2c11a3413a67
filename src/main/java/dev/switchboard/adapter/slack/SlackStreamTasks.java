package dev.switchboard.adapter.slack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.live.Budget;
import dev.switchboard.routing.ToolStatus;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streamed reply's tool calls as Slack's own task cards: one {@code task_update} chunk per status of a call (same
 * id), sent in order with {@code chat.appendStream} to the reply's stream, or opening it with
 * {@code chat.startStream} ({@code task_display_mode: timeline}) when no text streams yet. Each call spends from the
 * same budgets as the reply's other stream writes. Thread-safe.
 */
final class SlackStreamTasks {

    private static final Logger log = LoggerFactory.getLogger(SlackStreamTasks.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ExecutorService WAITING = Executors.newVirtualThreadPerTaskExecutor();
    /** Slack's limit on a task's title and texts; kept well inside. */
    private static final int MAX_TITLE = 200;

    private final SlackApi api;
    private final String channel;
    private final Map<String, String> opening;
    private volatile Budget startBudget;
    private volatile Budget appendBudget;
    /** Task updates go one after another, so a call never shows complete before it showed running. */
    private CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);

    /** @param opening the arguments a {@code chat.startStream} needs besides {@code chunks} */
    SlackStreamTasks(SlackApi api, String channel, Map<String, String> opening) {
        this.api = api;
        this.channel = channel;
        this.opening = opening;
    }

    /** The budgets task writes spend from: the reply's posts (a new stream) and its stream appends. */
    void pace(Budget start, Budget append) {
        this.startBudget = start;
        this.appendBudget = append;
    }

    /** Opens a stream showing the first task; completes with the stream's ts. */
    synchronized CompletableFuture<String> open(ToolStatus status) {
        CompletableFuture<String> opened = new CompletableFuture<>();
        chain = chain.thenCompose(v -> spend(startBudget)).thenCompose(v -> {
            Map<String, String> args = new LinkedHashMap<>(opening);
            args.put("task_display_mode", "timeline");
            return api.streamChunks("chat.startStream", args, chunks(status));
        }).handle((r, error) -> {
            if (error != null) {
                opened.completeExceptionally(error);
            } else {
                opened.complete(r.getTs());
            }
            return null;
        });
        return opened;
    }

    /** Appends a task's new status to the stream {@code ts} names, once it is open; a refusal is logged. */
    synchronized void update(CompletableFuture<String> stream, ToolStatus status) {
        chain = chain.thenCompose(v -> stream).thenCompose(ts -> spend(appendBudget).thenCompose(v ->
                api.streamChunks("chat.appendStream", Map.of("channel", channel, "ts", ts), chunks(status))))
                .handle((r, error) -> {
                    if (error != null) {
                        log.warn("slack: a tool's task update was not shown: {}", SlackApi.error(error));
                    }
                    return null;
                });
    }

    /** Completes once every task update asked for so far was sent (or refused). */
    synchronized CompletableFuture<Void> sent() {
        return chain;
    }

    private static CompletableFuture<Void> spend(Budget budget) {
        if (budget == null) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> {
            try {
                budget.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while pacing a task update", e);
            }
        }, WAITING);
    }

    /** The {@code chunks} argument: one {@code task_update}. */
    static String chunks(ToolStatus status) {
        ArrayNode chunks = JSON.createArrayNode();
        ObjectNode task = chunks.addObject();
        task.put("type", "task_update");
        task.put("id", status.id());
        task.put("title", title(status));
        task.put("status", switch (status.state()) {
            case WAITING_FOR_APPROVAL -> "pending";
            case RUNNING -> "in_progress";
            case DONE -> "complete";
            case FAILED, DECLINED -> "error";
        });
        String output = switch (status.state()) {
            case WAITING_FOR_APPROVAL -> "waiting for approval";
            case RUNNING -> null;
            case DONE -> "done in " + seconds(status);
            case FAILED -> "failed after " + seconds(status);
            case DECLINED -> "not approved";
        };
        if (output != null) {
            task.put("output", output);
        }
        return chunks.toString();
    }

    /** The tool's name and a short summary of its arguments, with anything that could ping defused. */
    static String title(ToolStatus status) {
        String call = status.tool() + (status.arguments().isEmpty() ? "" : " (" + status.arguments() + ")");
        String safe = SlackMarkdown.STREAM.format(call);
        return safe.length() <= MAX_TITLE ? safe : safe.substring(0, MAX_TITLE - 1) + "…";
    }

    private static String seconds(ToolStatus status) {
        return String.format(Locale.ROOT, "%.1f s", status.took().toMillis() / 1000.0);
    }
}
