package dev.switchboard.admin;

import dev.switchboard.chat.Conversations;
import dev.switchboard.conversation.ConversationExport;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.AuditLog;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.ops.Status;
import dev.switchboard.routing.ProviderStats;
import dev.switchboard.routing.Router;
import dev.switchboard.conversation.UsageLedger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The operator commands, the same on every platform (see {@link #HELP}). Adapters decide who is an operator (the
 * config's operator ids, asked through {@link #isOperator}), where the answer goes (privately), and what a
 * {@code #channel} or thread link means on their platform ({@link Places}); this class runs the command and writes
 * every attempt, refused ones included, to the audit log before answering; changes are saved in {@link Settings} so a
 * restart keeps them. Thread-safe.
 */
public final class Admin {

    /** One line per command, for every adapter's help. */
    public static final String HELP = """
            status                              providers (health, breaker, first token p50/p95, error rate, last
                                                failure), adapters, store, replies in progress
            provider <name> on|off              take a provider out of rotation, or put it back
            model [#channel] <provider/model>|default
                                                answer first with that model there (route targets stay as fallbacks)
            route [#channel] <name>|default     answer there with a route from the config
            prompt [#channel] <text>|default    the system prompt there ({user}, {channel}, {date} work)
            forget [thread]                     delete a thread's stored history (this one, or a link or id)
            export [thread]                     the thread's stored history as a JSON file, privately
            usage [24h|7d]                      tokens and cost per provider, channel and user
            forget-user <user>                  delete everything stored from a user on this platform
            reload                              re-read the config; a bad one keeps the running one""";

    /** Attachments above this are refused: Discord's limit for bots is 10 MiB, leave room for the envelope. */
    static final int MAX_EXPORT_BYTES = 8 * 1024 * 1024;

    /**
     * What an admin command answers.
     */
    public sealed interface Answer {
        /** The text to show the operator (for a file, the line that goes with it). */
        String text();

        /** Just text. */
        record Text(String text) implements Answer { }

        /**
         * A file for the operator alone, with a line of text.
         *
         * @param text what to say with it
         * @param name the file name
         * @param content the bytes
         */
        record File(String text, String name, byte[] content) implements Answer { }
    }

    /** What a platform's references in commands point at; each returns null when it does not understand one. */
    public interface Places {
        /** No references understood: commands apply where they are given. */
        Places HERE_ONLY = new Places() { };

        /** The channel a reference names ({@code <#C123|general>}, {@code <#123>}), as a key of that channel. */
        default ConversationKey channel(String reference) {
            return null;
        }

        /** The thread a reference names (a message link, or a thread id). */
        default ConversationKey thread(String reference) {
            return null;
        }
    }

    /** Re-reads the config and applies what can change while running. */
    @FunctionalInterface
    public interface Reload {
        /** @return what happened, for the operator: applied, waiting for a restart, or what is wrong */
        String reload();
    }

    private final Router router;
    private final ConversationStore store;
    private final Conversations conversations;
    private final AuditLog audit;
    private final Settings settings;
    private final UsageLedger usage;
    private final Clock clock;
    private final java.util.function.Supplier<Status> status;
    private volatile SwitchboardConfig.Operators operators;
    private volatile Reload reload = () -> "reload is not available: this service was not started from a config file.";

    public Admin(Router router, ConversationStore store, Conversations conversations, AuditLog audit, Settings settings,
                 UsageLedger usage, Clock clock, java.util.function.Supplier<Status> status,
                 SwitchboardConfig.Operators operators) {
        this.usage = usage;
        this.settings = settings;
        this.router = router;
        this.store = store;
        this.conversations = conversations;
        this.audit = audit;
        this.clock = clock;
        this.status = status;
        this.operators = operators;
    }

    /** How {@code reload} re-reads the config; set once at start. */
    public void reloadWith(Reload how) {
        this.reload = how;
    }

    /** Replaces the operator lists (after a reload). */
    public void operators(SwitchboardConfig.Operators now) {
        this.operators = now;
    }

    /**
     * Whether a user may run admin commands.
     *
     * @param platform slack, discord or shell (the local user of a shell is always an operator)
     * @param roles the user's role ids where the platform has roles, else empty
     */
    public boolean isOperator(String platform, String userId, java.util.Collection<String> roles) {
        SwitchboardConfig.Operators o = operators;
        return switch (platform) {
            case "slack" -> o.slackUsers().contains(userId);
            case "discord" -> o.discordUsers().contains(userId) || roles.stream().anyMatch(o.discordRoles()::contains);
            case "shell" -> true;
            default -> false;
        };
    }

    /** A refusal, written to the audit log. @return the text to show the caller */
    public String refuse(String platform, String userId, String command) {
        String answer = "Only operators may run admin commands (their ids are listed under operators: in the config).";
        audit.record(clock.instant(), platform, userId, command, "refused: not an operator");
        return answer;
    }

    /** {@link #run(String, ConversationKey, String, Places)} where commands apply only where they are given. */
    public Answer run(String userId, ConversationKey where, String command) {
        return run(userId, where, command, Places.HERE_ONLY);
    }

    /**
     * Runs one command for an operator.
     *
     * @param where the thread or channel the command was given in (model, route and prompt apply to its channel;
     *              forget and export to its thread) unless the command names another
     * @param places what the platform's channel and thread references mean
     * @return the answer to show the operator
     */
    public Answer run(String userId, ConversationKey where, String command, Places places) {
        String line = command == null ? "" : command.strip();
        Answer answer;
        try {
            answer = execute(where, line.isEmpty() ? new String[] {""} : line.split("\\s+"), places);
        } catch (RuntimeException e) {
            // A store or file failure must reach the operator as a sentence, and the audit log as a failure.
            answer = new Answer.Text("failed: " + e.getMessage());
        }
        audit.record(clock.instant(), where.platform(), userId, line.isEmpty() ? "status" : line,
                firstLine(answer.text()));
        return answer;
    }

    private Answer execute(ConversationKey here, String[] words, Places places) {
        String verb = words[0].isEmpty() ? "status" : words[0].toLowerCase(Locale.ROOT);
        // route, model and prompt may name a channel first; forget and export a thread.
        ConversationKey where = here;
        int first = 1;
        if (words.length > 1 && Set.of("route", "model", "prompt").contains(verb) && isChannelReference(words[1])) {
            where = places.channel(words[1]);
            if (where == null) {
                return text("not changed: " + words[1] + " is not a channel I can see.");
            }
            first = 2;
        }
        if (words.length > 1 && Set.of("forget", "export").contains(verb)) {
            where = places.thread(words[1]);
            if (where == null) {
                return text("no thread " + words[1] + ": give a message link or a thread id, or run the command in"
                        + " the thread.");
            }
        }
        String[] args = java.util.Arrays.copyOfRange(words, Math.min(first, words.length), words.length);
        return switch (verb) {
            case "status" -> text(status(here));
            case "provider" -> {
                if (args.length < 2 || !(args[1].equals("on") || args[1].equals("off"))) {
                    yield text("usage: provider <name> on|off");
                }
                boolean on = args[1].equals("on");
                if (!router.setProviderEnabled(args[0], on)) {
                    yield text("there is no provider " + args[0] + "; status lists them.");
                }
                settings.save(router);
                yield text("provider " + args[0] + " is " + (on ? "back in rotation." : "out of rotation."));
            }
            case "model" -> {
                if (args.length < 1) {
                    yield text("usage: model [#channel] <provider/model>|default");
                }
                boolean reset = args[0].equals("default");
                String problem = router.pinModel(where, reset ? null : args[0]);
                if (problem == null) {
                    settings.save(router);
                }
                yield text(problem != null ? "not changed: " + problem + "."
                        : reset ? "the route decides again " + there(here, where) + "."
                        : args[0] + " answers first " + there(here, where) + " now.");
            }
            case "route" -> {
                if (args.length < 1) {
                    yield text("usage: route [#channel] <name>|default");
                }
                boolean reset = args[0].equals("default");
                String problem = router.chooseRoute(where, reset ? null : args[0]);
                if (problem == null) {
                    settings.save(router);
                }
                yield text(problem != null ? "not changed: " + problem + "."
                        : reset ? "the config decides the route " + there(here, where) + " again."
                        : "route " + args[0] + " answers " + there(here, where) + " now.");
            }
            case "prompt" -> {
                String prompt = String.join(" ", args).strip();
                if (prompt.isEmpty()) {
                    yield text("usage: prompt [#channel] <text>|default");
                }
                boolean reset = prompt.equals("default");
                router.choosePrompt(where, reset ? null : prompt);
                settings.save(router);
                yield text(reset ? "the route's system prompt applies " + there(here, where) + " again."
                        : "the system prompt " + there(here, where) + " is set.");
            }
            case "forget" -> text(store.forget(where) ? "the history of thread " + where.thread() + " is deleted."
                    : "nothing was stored for thread " + where.thread() + ".");
            case "export" -> export(where);
            case "usage" -> text(usage(args.length > 0 ? args[0] : "24h"));
            case "forget-user" -> {
                if (args.length < 1) {
                    yield text("usage: forget-user <user id> (or a mention)");
                }
                String user = userId(args[0]);
                int turns = store.forgetUser(where.platform(), user);
                int records = usage.forgetUser(where.platform(), user);
                yield text("forgot " + user + ": " + turns + " stored messages deleted, " + records
                        + " usage records no longer name them.");
            }
            case "reload" -> text(reload.reload());
            default -> text("unknown command \"" + (verb.length() > 40 ? verb.substring(0, 40) + "…" : verb)
                    + "\". Commands:\n" + HELP);
        };
    }

    private static Answer text(String text) {
        return new Answer.Text(text);
    }

    private static boolean isChannelReference(String word) {
        return word.startsWith("<#") || word.startsWith("#");
    }

    private static String there(ConversationKey here, ConversationKey where) {
        return where.channel().equals(here.channel()) && where.workspace().equals(here.workspace()) ? "here"
                : "in " + where.channel();
    }

    /** The whole stored thread, archived turns included, as indented JSON. */
    private Answer export(ConversationKey where) {
        java.util.Optional<Conversation> found = store.loadComplete(where);
        if (found.isEmpty()) {
            return text("nothing is stored for thread " + where.thread() + ".");
        }
        Conversation c = found.get();
        byte[] json = ConversationExport.of(c, clock.instant()).toJson();
        if (json.length > MAX_EXPORT_BYTES) {
            return text("thread " + where.thread() + " is " + json.length / (1024 * 1024) + " MiB as JSON, too large"
                    + " to attach (limit " + MAX_EXPORT_BYTES / (1024 * 1024) + " MiB); it is in the data folder on"
                    + " the server.");
        }
        String name = (where.platform() + "-" + where.channel() + "-" + where.thread()).replaceAll("[^A-Za-z0-9._-]",
                "_") + ".json";
        return new Answer.File("thread " + where.thread() + ": " + c.turns().size() + " turns, " + json.length
                + " bytes.", name, json);
    }

    /** Tokens and cost over a window ({@code 24h}, {@code 7d}, any {@code N h} or {@code N d}), by provider, channel, user. */
    private String usage(String window) {
        Duration span;
        try {
            long n = Long.parseLong(window.substring(0, window.length() - 1));
            span = switch (window.charAt(window.length() - 1)) {
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException(window);
            };
        } catch (RuntimeException e) {
            return "usage: usage [24h|7d] (a number of hours or days)";
        }
        Instant since = clock.instant().minus(span);
        StringBuilder out = new StringBuilder("usage over the last " + window + ":\n");
        table(out, "provider", usage.totals(since, UsageLedger.By.PROVIDER));
        table(out, "channel", usage.totals(since, UsageLedger.By.CHANNEL));
        table(out, "user", usage.totals(since, UsageLedger.By.USER));
        return out.toString().stripTrailing();
    }

    private static void table(StringBuilder out, String by, Map<String, UsageLedger.Total> totals) {
        out.append("by ").append(by).append(totals.isEmpty() ? ": nothing yet\n" : ":\n");
        totals.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().inputTokens() + b.getValue().outputTokens(),
                        a.getValue().inputTokens() + a.getValue().outputTokens()))
                .limit(10)
                .forEach(e -> out.append(String.format(Locale.ROOT, "  %-36s %6d replies %9d in %9d out  $%.4f%n",
                        e.getKey(), e.getValue().replies(), e.getValue().inputTokens(), e.getValue().outputTokens(),
                        e.getValue().costUsd())));
    }

    /** A user id as typed or as the platform writes a mention ({@code <@U123>}, {@code <@!123>}, {@code <@U1|name>}). */
    static String userId(String word) {
        String id = word.strip();
        if (id.startsWith("<@") && id.endsWith(">")) {
            id = id.substring(2, id.length() - 1);
            if (id.startsWith("!")) {
                id = id.substring(1);
            }
            int bar = id.indexOf('|');
            if (bar >= 0) {
                id = id.substring(0, bar);
            }
        }
        return id;
    }

    private String status(ConversationKey where) {
        Status now = status.get();
        StringBuilder out = new StringBuilder();
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
        out.append("adapters:\n");
        if (now.adapters().isEmpty()) {
            out.append("  none connected to a chat platform\n");
        }
        for (Status.Adapter a : now.adapters()) {
            out.append(String.format(Locale.ROOT, "  %-12s %-13s %s %s%n", a.name(),
                    a.connected() ? "connected" : "not connected", a.link(),
                    a.latency() == null ? "not measured yet" : millis(a.latency())));
        }
        out.append(now.store() == null ? "store: being measured, ask again in a moment\n"
                : String.format(Locale.ROOT, "store: %d conversations, %s on disk, %d quarantined%n",
                now.store().conversations(), bytes(now.store().bytes()), now.store().quarantined()));
        out.append("replies in progress: ").append(now.active().size());
        for (var a : now.active().stream().limit(10).toList()) {
            out.append("\n  ").append(a.conversation()).append(' ').append(a.target() == null ? "waiting" : a.target())
                    .append(", ").append(a.chars()).append(" chars, ")
                    .append(ago(now.at(), a.started()).replace(" ago", "")).append(" in");
        }
        out.append("\nhere: model ").append(router.pinnedModel(where).orElse("as the route decides"));
        return out.toString();
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

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl) + " …";
    }
}
