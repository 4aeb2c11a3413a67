package dev.switchboard.admin;

import dev.switchboard.chat.Conversations;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.routing.Router;
import dev.switchboard.conversation.UsageLedger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * The operator commands, the same on every platform: {@code status}, {@code provider <name> on|off},
 * {@code model <provider/model>|default} and {@code forget}. Adapters decide who is an operator (the config's
 * operator ids) and where the answer goes (privately); this class runs the command and writes every attempt,
 * refused ones included, to the audit log before answering; changes are saved in {@link Settings} so a restart keeps
 * them. Thread-safe.
 */
public final class Admin {

    /** One line per command, for every adapter's help. */
    public static final String HELP = """
            status                          providers (rotation, breaker, last failure) and replies in progress
            provider <name> on|off          take a provider out of rotation, or put it back
            model <provider/model>|default  answer first with that model in this channel (route targets stay as fallbacks)
            route <name>|default            answer in this channel with a route from the config
            prompt <text>|default           this channel's system prompt ({user}, {channel}, {date} work)
            forget                          delete this thread's stored history
            usage [24h|7d]                  tokens and cost per provider, channel and user
            forget-user <user id>           delete everything stored from a user on this platform""";

    private final Router router;
    private final ConversationStore store;
    private final Conversations conversations;
    private final AuditLog audit;
    private final Settings settings;
    private final UsageLedger usage;
    private final Clock clock;

    public Admin(Router router, ConversationStore store, Conversations conversations, AuditLog audit, Settings settings,
                 UsageLedger usage, Clock clock) {
        this.usage = usage;
        this.settings = settings;
        this.router = router;
        this.store = store;
        this.conversations = conversations;
        this.audit = audit;
        this.clock = clock;
    }

    /** A refusal, written to the audit log. @return the text to show the caller */
    public String refuse(String platform, String userId, String command) {
        String answer = "Only operators may run admin commands (their ids are listed under operators: in the config).";
        audit.record(clock.instant(), platform, userId, command, "refused: not an operator");
        return answer;
    }

    /**
     * Runs one command for an operator.
     *
     * @param where the thread or channel the command was given in (model pins its channel; forget its thread)
     * @return the text to show the operator
     */
    public String run(String userId, ConversationKey where, String command) {
        String line = command == null ? "" : command.strip();
        String answer = execute(where, line.split("\\s+"));
        audit.record(clock.instant(), where.platform(), userId, line.isEmpty() ? "status" : line, firstLine(answer));
        return answer;
    }

    private String execute(ConversationKey where, String[] words) {
        String verb = words[0].isEmpty() ? "status" : words[0].toLowerCase(Locale.ROOT);
        return switch (verb) {
            case "status" -> status(where);
            case "provider" -> {
                if (words.length < 3 || !(words[2].equals("on") || words[2].equals("off"))) {
                    yield "usage: provider <name> on|off";
                }
                boolean on = words[2].equals("on");
                if (!router.setProviderEnabled(words[1], on)) {
                    yield "there is no provider " + words[1] + "; status lists them.";
                }
                settings.save(router);
                yield "provider " + words[1] + " is " + (on ? "back in rotation." : "out of rotation.");
            }
            case "model" -> {
                if (words.length < 2) {
                    yield "usage: model <provider/model>|default";
                }
                boolean reset = words[1].equals("default");
                String problem = router.pinModel(where, reset ? null : words[1]);
                if (problem == null) {
                    settings.save(router);
                }
                yield problem != null ? "not changed: " + problem + "."
                        : reset ? "the route decides again." : words[1] + " answers here first now.";
            }
            case "route" -> {
                if (words.length < 2) {
                    yield "usage: route <name>|default";
                }
                boolean reset = words[1].equals("default");
                String problem = router.chooseRoute(where, reset ? null : words[1]);
                if (problem == null) {
                    settings.save(router);
                }
                yield problem != null ? "not changed: " + problem + "."
                        : reset ? "the config decides the route here again." : "route " + words[1] + " answers here now.";
            }
            case "prompt" -> {
                String text = String.join(" ", java.util.Arrays.asList(words).subList(1, words.length)).strip();
                if (text.isEmpty()) {
                    yield "usage: prompt <text>|default";
                }
                boolean reset = text.equals("default");
                router.choosePrompt(where, reset ? null : text);
                settings.save(router);
                yield reset ? "the route's system prompt applies here again." : "this channel's system prompt is set.";
            }
            case "forget" -> store.forget(where) ? "this thread's history is deleted."
                    : "nothing was stored for this thread.";
            case "usage" -> usage(words.length > 1 ? words[1] : "24h");
            case "forget-user" -> {
                if (words.length < 2) {
                    yield "usage: forget-user <user id> (or a mention)";
                }
                String user = userId(words[1]);
                int turns = store.forgetUser(where.platform(), user);
                int records = usage.forgetUser(where.platform(), user);
                yield "forgot " + user + ": " + turns + " stored messages deleted, " + records
                        + " usage records no longer name them.";
            }
            default -> "unknown command \"" + verb + "\". Commands:\n" + HELP;
        };
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
        table(out, "provider", usage.totals(since, r -> r.provider() + "/" + r.model()));
        table(out, "channel", usage.totals(since, r -> r.platform() + " " + r.channel()));
        table(out, "user", usage.totals(since, r -> r.platform() + " " + r.user()));
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
        StringBuilder out = new StringBuilder();
        for (Router.ProviderStatus p : router.providers()) {
            out.append(String.format(Locale.ROOT, "%-12s %-28s breaker %-9s %s%n", p.name(),
                    p.unavailable() == null ? "in rotation" : p.unavailable(), p.breaker(),
                    p.lastFailure() == null || p.lastFailure().isEmpty() ? ""
                            : "last failure " + p.lastFailure() + " at " + p.lastFailureAt()));
        }
        out.append("model here: ").append(router.pinnedModel(where).orElse("as the route decides"))
                .append("; replies in progress: ").append(conversations.inProgress());
        return out.toString();
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl) + " …";
    }
}
