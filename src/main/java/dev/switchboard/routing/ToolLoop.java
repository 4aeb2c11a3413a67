package dev.switchboard.routing;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reply's tool calls: the tools offered, the model's calls and their results so far (which every later step and
 * every fallback target is sent, so no call runs twice), and the step limit. Guarded by the owning reply's lock,
 * except the calls themselves, which run outside it.
 */
final class ToolLoop {

    private static final Logger log = LoggerFactory.getLogger(Router.class);
    static final String ANSWER_NOW = "You may not call any more tools in this reply. Answer now with what you have.";

    private final ToolBox box;
    private final ToolOptions options;
    private final List<ToolSpecification> offered;
    private final RouterTime time;
    private final long deadlineNanos;
    private final List<ChatMessage> messages = new ArrayList<>();
    private final Map<String, ToolResult> results = new HashMap<>();
    private final List<CompletableFuture<?>> running = new ArrayList<>();
    private final StringBuilder earlierText = new StringBuilder();
    private final List<ToolCall> record = new ArrayList<>();
    private int steps;
    private int calls;
    private boolean separatorDue;

    ToolLoop(ToolBox box, ToolOptions options, List<String> allowed, RouterTime time) {
        this.box = box;
        this.options = options;
        this.offered = allowed.isEmpty() ? List.of() : List.copyOf(box.offered(allowed));
        this.time = time;
        this.deadlineNanos = time.nanos() + options.replyDeadline().toNanos();
    }

    /** The request for the next step: the prompt, then the tool calls and results so far, with the tools offered. */
    ChatRequest request(List<ChatMessage> prompt) {
        List<ChatMessage> all = new ArrayList<>(prompt);
        all.addAll(messages);
        if (!offered.isEmpty() && limitReached()) {
            all.add(SystemMessage.from(ANSWER_NOW));
        }
        ChatRequest.Builder builder = ChatRequest.builder().messages(all);
        if (!offered.isEmpty()) {
            // Offered even at the limit: some providers refuse tool calls in the history of a request without tools.
            builder.toolSpecifications(offered);
        }
        return builder.build();
    }

    /** Whether the step's answer asks for tools that this loop should act on. */
    boolean wantsTools(AiMessage message) {
        return !offered.isEmpty() && message != null && message.hasToolExecutionRequests();
    }

    /** Whether the model asked for tools again after being told to answer: the reply ends with what it has. */
    boolean exhausted() {
        return steps > options.maxSteps();
    }

    private boolean limitReached() {
        return steps >= options.maxSteps() || time.nanos() - deadlineNanos >= 0;
    }

    /** Every call made so far with its result, in order: stored in the thread with the answer. */
    List<ToolCall> record() {
        synchronized (record) {
            return List.copyOf(record);
        }
    }

    int steps() {
        return steps;
    }

    int calls() {
        return calls;
    }

    /** The text the model wrote in earlier steps, shown before the answer; part of the stored reply. */
    String earlierText() {
        return earlierText.toString();
    }

    /** Called with each new step's first text: a paragraph break when earlier steps wrote text. */
    String separated(String chunk) {
        if (separatorDue && !chunk.isBlank()) {
            separatorDue = false;
            earlierText.append("\n\n");
            return "\n\n" + chunk;
        }
        return chunk;
    }

    /** The user saw the text vanish (a fallback from the start): earlier steps' text is gone from the reply too. */
    void textDiscarded() {
        earlierText.setLength(0);
        separatorDue = false;
    }

    /**
     * Runs the step's calls, in parallel, and records them with their results. Past the step limit or the reply's
     * deadline, calls are answered without running ("answer with what you have").
     *
     * @param status told of each call's progress (from any thread)
     * @param approve asks the user about a {@code confirm: true} tool; true when approved
     * @return completes when every call has its result
     */
    CompletableFuture<Void> run(AiMessage asked, String stepText, Consumer<ToolStatus> status,
                                Function<ToolStatus, CompletableFuture<Boolean>> approve) {
        steps++;
        earlierText.append(stepText);
        separatorDue = !earlierText.isEmpty();
        boolean limit = steps > options.maxSteps() || time.nanos() - deadlineNanos >= 0;
        List<ToolExecutionRequest> requests = new ArrayList<>();
        List<CompletableFuture<ToolResult>> futures = new ArrayList<>();
        int index = 0;
        for (ToolExecutionRequest r : asked.toolExecutionRequests()) {
            // Gemini and Ollama give no ids; another target's wire format needs them.
            String id = r.id() == null || r.id().isBlank() ? "call_" + steps + "_" + index : r.id();
            index++;
            ToolExecutionRequest call = r.toBuilder().id(id).build();
            requests.add(call);
            ToolResult known = results.get(id);
            if (known != null) {
                futures.add(CompletableFuture.completedFuture(known));
            } else if (limit) {
                futures.add(CompletableFuture.completedFuture(ToolResult.failed("Not run: " + ANSWER_NOW)));
            } else {
                calls++;
                futures.add(start(call, status, approve));
            }
        }
        messages.add(AiMessage.from(asked.text() == null ? "" : asked.text(), requests));
        CompletableFuture<?>[] all = futures.toArray(CompletableFuture[]::new);
        running.addAll(futures);
        return CompletableFuture.allOf(all).thenRun(() -> {
            for (int i = 0; i < requests.size(); i++) {
                ToolResult result = futures.get(i).join().capped(options.maxResultChars());
                if (results.putIfAbsent(requests.get(i).id(), result) == null) {
                    synchronized (record) {
                        record.add(new ToolCall(ToolBox.displayName(requests.get(i).name()),
                                requests.get(i).arguments(), result.text(), result.failed()));
                    }
                }
                messages.add(ToolExecutionResultMessage.from(requests.get(i), result.text()));
            }
        });
    }

    private CompletableFuture<ToolResult> start(ToolExecutionRequest call, Consumer<ToolStatus> status,
                                                Function<ToolStatus, CompletableFuture<Boolean>> approve) {
        String tool = ToolBox.displayName(call.name());
        String summary = ToolArguments.summary(call.arguments());
        if (!box.needsApproval(call.name())) {
            return execute(call, tool, summary, status);
        }
        ToolStatus asking = new ToolStatus(call.id(), tool, summary, ToolStatus.State.WAITING_FOR_APPROVAL,
                Duration.ZERO);
        status.accept(asking);
        CompletableFuture<Boolean> answer;
        try {
            answer = approve.apply(asking);
        } catch (RuntimeException e) {
            answer = CompletableFuture.completedFuture(false);
        }
        return answer.completeOnTimeout(false, options.approvalTimeout().toNanos(),
                        java.util.concurrent.TimeUnit.NANOSECONDS)
                .exceptionally(e -> false)
                .thenCompose(approved -> {
                    if (approved) {
                        return execute(call, tool, summary, status);
                    }
                    log.info("tool call declined {}", kv("tool", tool));
                    status.accept(new ToolStatus(call.id(), tool, summary, ToolStatus.State.DECLINED, Duration.ZERO));
                    return CompletableFuture.completedFuture(
                            ToolResult.failed("The user declined this call; it did not run. Do not retry it."));
                });
    }

    private CompletableFuture<ToolResult> execute(ToolExecutionRequest call, String tool, String summary,
                                                  Consumer<ToolStatus> status) {
        status.accept(new ToolStatus(call.id(), tool, summary, ToolStatus.State.RUNNING, Duration.ZERO));
        long began = time.nanos();
        Duration left = Duration.ofNanos(Math.max(1, deadlineNanos - began));
        CompletableFuture<ToolResult> result;
        try {
            result = box.call(call, left);
        } catch (RuntimeException e) {
            result = CompletableFuture.completedFuture(ToolResult.failed("the tool could not be called"));
        }
        return result.exceptionally(e -> ToolResult.failed("the tool failed")).thenApply(r -> {
            Duration took = Duration.ofNanos(time.nanos() - began);
            status.accept(new ToolStatus(call.id(), tool, summary,
                    r.failed() ? ToolStatus.State.FAILED : ToolStatus.State.DONE, took));
            log.info("tool call {} {} {} {}", kv("tool", tool), kv("failed", r.failed()),
                    kv("took_ms", took.toMillis()), kv("result_chars", r.text().length()));
            return r;
        });
    }

    /** The reply ended: calls still waiting for approval or running are let go. */
    void cancel() {
        running.forEach(f -> f.cancel(false));
    }
}
