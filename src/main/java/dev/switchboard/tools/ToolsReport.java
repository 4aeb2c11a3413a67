package dev.switchboard.tools;

import java.util.List;
import java.util.Locale;

/** What {@code /switchboard tools} answers: one block per server, one line per tool. Stateless. */
public final class ToolsReport {

    private ToolsReport() {
    }

    public static String of(List<McpTools.ServerStatus> servers) {
        if (servers.isEmpty()) {
            return "No tools are configured (tools.servers).";
        }
        StringBuilder out = new StringBuilder();
        for (McpTools.ServerStatus s : servers) {
            out.append(s.name()).append(" (").append(s.transport()).append("): ").append(s.state());
            if (!s.lastError().isEmpty()) {
                out.append(", last error ").append(s.lastError());
            }
            if (s.restarts() > 0) {
                out.append(", restarted ").append(s.restarts()).append('×');
            }
            out.append('\n');
            if (s.tools().isEmpty()) {
                out.append("  no tools while not connected\n");
            }
            for (McpTools.ToolStatus t : s.tools()) {
                out.append("  ").append(s.name()).append('/').append(t.name()).append(": ").append(t.calls())
                        .append(t.calls() == 1 ? " call" : " calls");
                if (t.calls() > 0) {
                    out.append(", ").append(t.failures()).append(" failed, p95 ")
                            .append(String.format(Locale.ROOT, "%.1f s", t.p95().toMillis() / 1000.0));
                }
                out.append('\n');
            }
        }
        return out.toString().stripTrailing();
    }
}
