package dev.switchboard;

import dev.switchboard.config.Secret;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.config.Toggle;
import dev.switchboard.routing.Router;
import dev.switchboard.routing.ToolOptions;
import dev.switchboard.tools.McpTools;
import dev.switchboard.tools.ServerOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/** Builds the MCP servers and the router's tool options from the config: the one place that knows both. */
public final class ToolWiring {

    private ToolWiring() {
    }

    /** Starts connecting the configured servers and lets the router offer their tools; the caller closes them. */
    public static McpTools start(SwitchboardConfig config, Router router, ScheduledExecutorService scheduler,
                                 MeterRegistry meters) {
        McpTools tools = new McpTools(servers(config), scheduler, meters, config.tools().restartBackoff(),
                Duration.ofSeconds(15)).start();
        router.useTools(tools, options(config));
        return tools;
    }

    static List<ServerOptions> servers(SwitchboardConfig config) {
        List<ServerOptions> out = new ArrayList<>();
        config.tools().servers().forEach((name, s) -> {
            if (s.enabled() == Toggle.OFF) {
                return;
            }
            List<String> command = new ArrayList<>();
            if (s.command() != null) {
                command.add(s.command());
                command.addAll(s.args());
            }
            out.add(new ServerOptions(name, command, revealed(s.env()), s.url() == null ? null : s.url().toString(),
                    revealed(s.headers()), s.connectTimeout(), s.callTimeout(), new LinkedHashSet<>(s.confirm())));
        });
        return out;
    }

    private static Map<String, String> revealed(Map<String, Secret> secrets) {
        Map<String, String> out = new LinkedHashMap<>();
        secrets.forEach((k, v) -> out.put(k, v.reveal()));
        return out;
    }

    /** Which tools each route and override may call, and the loop's limits. */
    public static ToolOptions options(SwitchboardConfig config) {
        Map<String, List<String>> routes = new LinkedHashMap<>();
        config.routing().routes().forEach((name, route) -> routes.put(name, route.tools()));
        List<ToolOptions.Place> places = config.routing().overrides().stream().filter(o -> o.tools() != null)
                .map(o -> new ToolOptions.Place(o.platform(), o.workspace(), o.channel(), o.tools())).toList();
        SwitchboardConfig.Tools t = config.tools();
        return new ToolOptions(routes, places, t.maxSteps(), t.maxResultChars(), t.replyTimeout(),
                t.approvalTimeout());
    }
}
