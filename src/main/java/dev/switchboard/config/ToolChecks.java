package dev.switchboard.config;

import java.util.List;

/** Tool lists of routes and overrides must name configured servers. Stateless. */
final class ToolChecks {

    private ToolChecks() {
    }

    static void validate(SwitchboardConfig c, List<ConfigException.Problem> problems) {
        c.routing().routes().forEach((name, route) -> patterns(c, "routing.routes." + name + ".tools", route.tools(),
                problems));
        for (int i = 0; i < c.routing().overrides().size(); i++) {
            List<String> tools = c.routing().overrides().get(i).tools();
            if (tools != null) {
                patterns(c, "routing.overrides[" + i + "].tools", tools, problems);
            }
        }
    }

    private static void patterns(SwitchboardConfig c, String key, List<String> patterns,
                                 List<ConfigException.Problem> problems) {
        for (String p : patterns) {
            String server = p.substring(0, p.indexOf('/'));
            if (!c.tools().servers().containsKey(server)) {
                problems.add(new ConfigException.Problem(key, "names server \"" + server + "\", which is not under"
                        + " tools.servers.", "add it under tools.servers or pick one of "
                        + c.tools().servers().keySet() + "."));
            }
        }
    }
}
