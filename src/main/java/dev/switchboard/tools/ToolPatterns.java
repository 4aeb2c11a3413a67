package dev.switchboard.tools;

import java.util.List;

/** Matches {@code server/*} and {@code server/tool} patterns. Stateless. */
final class ToolPatterns {

    private ToolPatterns() {
    }

    static boolean matches(List<String> patterns, String server, String tool) {
        for (String p : patterns) {
            if (p.equals(server + "/*") || p.equals(server + "/" + tool)) {
                return true;
            }
        }
        return false;
    }
}
