package dev.switchboard.tools;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One MCP server as the composition root describes it from the config, with {@code ${VAR}}s already filled in.
 * Either {@code command} (stdio) or {@code url} (Streamable HTTP) is set. Its {@code toString} never shows the
 * environment or the headers: they hold secrets.
 *
 * @param name the server's name, the first half of {@code server/tool}
 * @param command the program and its arguments (stdio), or empty
 * @param env extra environment of the program
 * @param url the endpoint (Streamable HTTP), or null
 * @param headers extra HTTP headers (an {@code Authorization} header, say)
 * @param connectTimeout connecting and listing the tools
 * @param callTimeout one tool call
 * @param confirm tools (by name on this server) that run only once the asking user approves; {@code *}: all
 */
public record ServerOptions(String name, List<String> command, Map<String, String> env, String url,
                            Map<String, String> headers, Duration connectTimeout, Duration callTimeout,
                            Set<String> confirm) {

    public ServerOptions {
        Objects.requireNonNull(name, "name");
        command = List.copyOf(command);
        env = Map.copyOf(env);
        headers = Map.copyOf(headers);
        confirm = Set.copyOf(confirm);
        if (command.isEmpty() == (url == null)) {
            throw new IllegalArgumentException("a server needs either a command or a url");
        }
    }

    boolean stdio() {
        return !command.isEmpty();
    }

    boolean needsApproval(String tool) {
        return confirm.contains("*") || confirm.contains(tool);
    }

    @Override
    public String toString() {
        return "ServerOptions[" + name + ", " + (stdio() ? "stdio " + command.getFirst() : "http " + url) + "]";
    }
}
