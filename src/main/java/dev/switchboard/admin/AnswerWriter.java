package dev.switchboard.admin;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.ops.Status;
import dev.switchboard.routing.ProviderStats;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/** Puts what a command did into the words and files the operator sees. Stateless. */
final class AnswerWriter {

    private AnswerWriter() {
    }

    static Admin.Answer write(Outcome outcome) {
        return switch (outcome) {
            case Outcome.StatusReport s -> text(status(s.status(), s.pinnedModel()));
            case Outcome.ProviderSwitched p -> text("provider " + p.provider() + " is "
                    + (p.on() ? "back in rotation." : "out of rotation."));
            case Outcome.NoSuchProvider p -> text("there is no provider " + p.provider() + "; status lists them.");
            case Outcome.NotChanged n -> text("not changed: " + n.problem() + ".");
            case Outcome.ModelPinned m -> text(m.model() == null
                    ? "the route decides again " + there(m.here(), m.where()) + "."
                    : m.model() + " answers first " + there(m.here(), m.where()) + " now.");
            case Outcome.RouteChosen r -> text(r.route() == null
                    ? "the config decides the route " + there(r.here(), r.where()) + " again."
                    : "route " + r.route() + " answers " + there(r.here(), r.where()) + " now.");
            case Outcome.PromptSet p -> text(p.reset()
                    ? "the route's system prompt applies " + there(p.here(), p.where()) + " again."
                    : "the system prompt " + there(p.here(), p.where()) + " is set.");
            case Outcome.Forgotten f -> text(f.existed() ? "the history of thread " + f.thread().thread()
                    + " is deleted." : "nothing was stored for thread " + f.thread().thread() + ".");
            case Outcome.NothingToExport n -> text("nothing is stored for thread " + n.thread().thread() + ".");
            case Outcome.ExportTooLarge t -> text("thread " + t.thread().thread() + " is " + t.bytes() / (1024 * 1024)
                    + " MiB as JSON, too large to attach (limit " + Commands.MAX_EXPORT_BYTES / (1024 * 1024)
                    + " MiB); it is in the data folder on the server.");
            case Outcome.Exported e -> new Admin.Answer.File("thread " + e.thread().thread() + ": " + e.turns()
                    + " turns, " + e.json().length + " bytes.", fileName(e.thread()), e.json());
            case Outcome.UsageReport u -> text(usage(u));
            case Outcome.UserForgotten f -> text("forgot " + f.user() + ": " + f.turns() + " stored messages deleted, "
                    + f.records() + " usage records no longer name them.");
            case Outcome.Said s -> text(s.text());
        };
    }

    private static Admin.Answer text(String text) {
        return new Admin.Answer.Text(text);
    }

    private static String there(ConversationKey here, ConversationKey where) {
        return where.channel().equals(here.channel()) && where.workspace().equals(here.workspace()) ? "here"
                : "in " + where.channel();
    }

    private static String fileName(ConversationKey thread) {
        return (thread.platform() + "-" + thread.channel() + "-" + thread.thread()).replaceAll("[^A-Za-z0-9._-]", "_")
                + ".json";
    }

    private static String usage(Outcome.UsageReport u) {
        StringBuilder out = new StringBuilder("usage over the last " + u.window() + ":\n");
        table(out, "provider", u.byProvider());
        table(out, "channel", u.byChannel());
        table(out, "user", u.byUser());
        out.append("feedback (share of 👍 per model)").append(u.feedback().isEmpty() ? ": none yet\n" : ":\n");
        u.feedback().forEach(f -> out.append("  ").append(f.describe()).append('\n'));
        return out.toString().stripTrailing();
    }

    private static void table(StringBuilder out, String by, Map<String, UsageLedger.Total> totals) {
        out.append("by ").append(by).append(totals.isEmpty() ? ": nothing yet\n" : ":\n");
        totals.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().inputTokens() + b.getValue().outputTokens(),
                        a.getValue().inputTokens() + a.getValue().outputTokens()))
                .limit(10)
                .forEach(e -> out.append(String.format(Locale.ROOT, "  %-36s %6d replies %9d in %9d out  $%.4f%s%n",
                        e.getKey(), e.getValue().replies(), e.getValue().inputTokens(), e.getValue().outputTokens(),
                        e.getValue().costUsd(), e.getValue().toolSteps() == 0 ? ""
                                : "  " + e.getValue().toolSteps() + " tool steps")));
    }

    /** The nodes of a cluster, when this process is one. */
    private static void nodes(StringBuilder out, Status now) {
        if (now.nodes().isEmpty()) {
            return;
        }
        out.append("nodes:\n");
        for (Status.Node n : now.nodes()) {
            out.append(String.format(Locale.ROOT, "  %-24s %-5s beat %s ago, up %s, %d replies in progress, serves %s%s%n",
                    n.id(), n.alive() ? "alive" : "dead", millis(n.sinceBeat()), duration(n.up()), n.load(),
                    n.serves().isEmpty() ? "nothing" : n.serves(), n.here() ? " (this node)" : ""));
        }
    }

    private static String duration(java.time.Duration d) {
        long s = d.toSeconds();
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" : s / 3600 + "h" + (s % 3600) / 60 + "m";
    }

    private static String status(Status now, String pinnedModel) {
        StringBuilder out = new StringBuilder();
        providers(out, now);
        out.append("adapters:\n");
        if (now.adapters().isEmpty()) {
            out.append("  none connected to a chat platform\n");
        }
        for (Status.Adapter a : now.adapters()) {
            out.append(String.format(Locale.ROOT, "  %-12s %-13s %s %s%n", a.name(),
                    a.connected() ? "connected" : "not connected", a.link(),
                    a.latency() == null ? "not measured yet" : millis(a.latency())));
        }
        out.append("store backend: ").append(now.backend().describe()).append('\n');
        nodes(out, now);
        out.append(now.store() == null ? "store: being measured, ask again in a moment\n"
                : String.format(Locale.ROOT, "store: %d conversations, %s on disk, %d quarantined%n",
                now.store().conversations(), bytes(now.store().bytes()), now.store().quarantined()));
        out.append("replies in progress: ").append(now.active().size());
        for (var a : now.active().stream().limit(10).toList()) {
            out.append("\n  ").append(a.conversation()).append(a.channelName().isEmpty() ? "" : " #" + a.channelName())
                    .append(' ').append(a.target() == null ? "waiting" : a.target())
                    .append(", ").append(a.chars()).append(" chars, ")
                    .append(ago(now.at(), a.started()).replace(" ago", "")).append(" in");
        }
        out.append("\nfeedback (share of 👍 per model):").append(now.feedback().isEmpty() ? " none yet" : "");
        now.feedback().forEach(f -> out.append("\n  ").append(f.describe()));
        out.append("\nhere: model ").append(pinnedModel == null ? "as the route decides" : pinnedModel);
        return out.toString();
    }

    private static void providers(StringBuilder out, Status now) {
        out.append("providers (last hour):\n");
        for (Status.Provider p : now.providers()) {
            ProviderStats.Summary h = p.lastHour();
            out.append(String.format(Locale.ROOT, "  %-12s %-8s breaker %-9s first token %s, %d tries, %.0f%% failed%s%n",
                    p.name(), p.health().name().toLowerCase(Locale.ROOT), p.breaker(),
                    h.firstTokenP50() == null ? "-" : "p50 " + millis(h.firstTokenP50()) + " p95 "
                            + millis(h.firstTokenP95()), h.tries(), h.errorRate() * 100,
                    p.unavailable() != null ? "; " + p.unavailable() : ""));
            if (p.lastFailure() != null && !p.lastFailure().isEmpty()) {
                out.append("               last failure ").append(p.lastFailure()).append(" ")
                        .append(ago(now.at(), p.lastFailureAt())).append('\n');
            }
        }
    }

    private static String millis(Duration d) {
        return d.toMillis() + " ms";
    }

    static String ago(Instant now, Instant then) {
        if (then == null) {
            return "";
        }
        long s = Math.max(0, Duration.between(then, now).toSeconds());
        return s < 60 ? s + " s ago" : s < 3600 ? s / 60 + " min ago" : s < 86_400 ? s / 3600 + " h ago"
                : s / 86_400 + " d ago";
    }

    static String bytes(long n) {
        return n < 1024 ? n + " B" : n < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KiB", n / 1024.0)
                : n < 1024L * 1024 * 1024 ? String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024))
                : String.format(Locale.ROOT, "%.1f GiB", n / (1024.0 * 1024 * 1024));
    }
}
