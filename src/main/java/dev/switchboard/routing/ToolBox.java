package dev.switchboard.routing;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The tools a reply may call (the MCP servers, plugged in by the composition root). Names the model sees are
 * {@code server__tool}: providers allow no slash in a function name. Implementations are thread-safe.
 */
public interface ToolBox {

    /** No tools at all. */
    ToolBox NONE = new ToolBox() {
        @Override
        public List<ToolSpecification> offered(List<String> patterns) {
            return List.of();
        }

        @Override
        public boolean needsApproval(String name) {
            return false;
        }

        @Override
        public CompletableFuture<ToolResult> call(ToolExecutionRequest call, Duration deadline) {
            return CompletableFuture.completedFuture(ToolResult.failed("no such tool: " + call.name()));
        }
    };

    /**
     * The tools that match any of {@code patterns} ({@code server/*} or {@code server/tool}), as the model sees them;
     * tools of a server not connected now are left out.
     */
    List<ToolSpecification> offered(List<String> patterns);

    /** Whether the tool (model-facing name) runs only once the asking user approved it ({@code confirm: true}). */
    boolean needsApproval(String name);

    /**
     * Runs one call within {@code deadline} (and the server's own call timeout). A tool's failure, a timeout or an
     * unknown tool complete normally with a failed result: the model hears of it and may answer anyway.
     */
    CompletableFuture<ToolResult> call(ToolExecutionRequest call, Duration deadline);

    /** The {@code server/tool} form of a model-facing name, as configs, logs and users read it. */
    static String displayName(String modelName) {
        int at = modelName.indexOf("__");
        return at < 0 ? modelName : modelName.substring(0, at) + "/" + modelName.substring(at + 2);
    }

    /** The model-facing name of {@code server/tool}. */
    static String modelName(String server, String tool) {
        return server + "__" + tool;
    }
}
