package dev.switchboard;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.routing.ToolOptions;
import dev.switchboard.tools.ServerOptions;
import java.util.List;

/** Opens {@link ToolWiring}'s mapping to tests of other packages. */
public final class ToolWiringAccess {

    private ToolWiringAccess() {
    }

    public static ToolOptions options(SwitchboardConfig c) {
        return ToolWiring.options(c);
    }

    public static List<ServerOptions> servers(SwitchboardConfig c) {
        return ToolWiring.servers(c);
    }
}
