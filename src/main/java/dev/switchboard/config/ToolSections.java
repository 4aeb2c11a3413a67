package dev.switchboard.config;

import static dev.switchboard.config.Values.copy;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code tools} section: MCP servers whose tools replies may call, and the limits of the tool loop. Which tools a
 * reply may use is said by its route's or override's {@code tools} list. Reached as {@code SwitchboardConfig.Tools}.
 */
public interface ToolSections {

    /** A server name: it becomes the first half of {@code server__tool}, which providers allow in function names. */
    Pattern SERVER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,29}");

    /**
     * The tools section.
     *
     * @param servers MCP servers by name
     * @param maxSteps model turns with tool calls per reply (default 8); then the model is asked to answer
     * @param maxResultChars a tool result is cut to this many characters before the model reads it (default 20000)
     * @param replyTimeout the whole reply with its tools (default 5m); past it no more tools run
     * @param approvalTimeout how long a {@code confirm}ed tool waits for the user's approval (default 2m)
     * @param restartBackoff first wait before a lost server is connected again; it doubles up to a minute (default 1s)
     */
    public record Tools(Map<String, ToolServer> servers, Integer maxSteps, Integer maxResultChars,
                        Duration replyTimeout, Duration approvalTimeout, Duration restartBackoff) {
        public Tools {
            servers = servers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(servers));
            maxSteps = maxSteps != null ? maxSteps : 8;
            maxResultChars = maxResultChars != null ? maxResultChars : 20_000;
            replyTimeout = replyTimeout != null ? replyTimeout : Duration.ofMinutes(5);
            approvalTimeout = approvalTimeout != null ? approvalTimeout : Duration.ofMinutes(2);
            restartBackoff = restartBackoff != null ? restartBackoff : Duration.ofSeconds(1);
            if (maxSteps < 1 || maxSteps > 50) {
                throw new ConfigValueException("max_steps", "must be between 1 and 50", "write e.g. max_steps: 8");
            }
            if (maxResultChars < 100) {
                throw new ConfigValueException("max_result_chars", "must be at least 100",
                        "write e.g. max_result_chars: 20000");
            }
            for (String name : servers.keySet()) {
                if (!SERVER_NAME.matcher(name).matches()) {
                    throw new ConfigValueException("servers", "\"" + name + "\" is not a usable server name",
                            "use letters, digits and dashes (up to 30), e.g. docs-search");
                }
            }
        }
    }

    /**
     * One MCP server: a program spoken to over stdio ({@code command}, {@code args}, {@code env}) or a Streamable
     * HTTP endpoint ({@code url}, {@code headers}). {@code env} and {@code headers} values are secrets: write them as
     * {@code ${VAR}}.
     *
     * @param enabled whether it is used (default on)
     * @param connectTimeout connecting and listing its tools (default 20s)
     * @param callTimeout one tool call (default 30s)
     * @param confirm tools of this server that run only once the asking user approves; {@code "*"} for all. Written
     *     {@code true}, as a list of names, or as a map of names to {@code true}/{@code false} (see {@link ConfirmList})
     */
    public record ToolServer(Toggle enabled, String command, List<String> args, Map<String, Secret> env, URI url,
                             Map<String, Secret> headers, Duration connectTimeout, Duration callTimeout,
                             @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = ConfirmList.class)
                             List<String> confirm) {
        public ToolServer {
            enabled = enabled != null ? enabled : Toggle.ON;
            args = copy(args);
            env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
            headers = headers == null ? Map.of()
                    : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
            connectTimeout = connectTimeout != null ? connectTimeout : Duration.ofSeconds(20);
            callTimeout = callTimeout != null ? callTimeout : Duration.ofSeconds(30);
            confirm = copy(confirm);
            boolean stdio = command != null && !command.isBlank();
            if (stdio == (url != null)) {
                throw new ConfigValueException("command", stdio ? "and url are both set; a server is one or the other"
                        : "or url is needed", "write command: (a program spoken to over stdio) or url: (Streamable"
                        + " HTTP)");
            }
            if (stdio && !headers.isEmpty()) {
                throw new ConfigValueException("headers", "only apply to a url server", "move them or use env:");
            }
            if (url != null && !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
                throw new ConfigValueException("url", "must be http or https", "write e.g. url: https://host/mcp");
            }
        }
    }

    /** A route's or override's tool pattern: {@code server/*} or {@code server/tool}. */
    static boolean validPattern(String pattern) {
        int slash = pattern == null ? -1 : pattern.indexOf('/');
        return slash > 0 && slash < pattern.length() - 1 && pattern.indexOf('/', slash + 1) < 0;
    }
}
