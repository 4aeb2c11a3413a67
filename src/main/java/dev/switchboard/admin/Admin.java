package dev.switchboard.admin;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.AuditLog;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.ops.Status;
import dev.switchboard.routing.Router;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The operator commands, the same on every platform (see {@link #HELP}). Each platform's {@link Authoriser} decides
 * who is an operator; adapters decide where the answer goes (privately) and what a {@code #channel} or thread link
 * means on their platform ({@link Places}). A command is parsed ({@link CommandParser}), run ({@link Commands}) and put
 * into words ({@link AnswerWriter}); every attempt, refused ones included, is written to the audit log before the
 * answer; changes are saved in {@link Settings} so a restart keeps them. Thread-safe.
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
            usage [24h|7d]                      tokens and cost per provider, channel and user; 👍 share per model
            forget-user <user>                  delete everything stored from a user on this platform
            reload                              re-read the config; a bad one keeps the running one
            tools                               MCP servers (connected or not), their tools, calls, failures, p95""";

    /** What an admin command answers. */
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

    private volatile ModelCommand models;
    private volatile CompareCommand compare;

    /** Makes users' {@code /model} and {@code /compare} available to the adapters. */
    public void useModels(ModelCommand command, CompareCommand comparisons) {
        this.models = command;
        this.compare = comparisons;
    }

    /** Users' {@code /compare}, or null when the service offers none. */
    public CompareCommand compare() {
        return compare;
    }

    /** Users' {@code /model}, or null when the service offers none. */
    public ModelCommand models() {
        return models;
    }

    /** Re-reads the config and applies what can change while running. */
    @FunctionalInterface
    public interface Reload {
        /** @return what happened, for the operator: applied, waiting for a restart, or what is wrong */
        String reload();
    }

    /** Whether a user of one platform, with these roles there, is an operator. Implementations are thread-safe. */
    @FunctionalInterface
    public interface Authoriser {
        /** Nobody is: a platform without an authoriser has no operators. */
        Authoriser NOBODY = (userId, roles) -> false;

        /** @param roles the user's role ids where the platform has roles, else empty */
        boolean isOperator(String userId, Collection<String> roles);
    }

    private final Commands commands;
    private final AuditLog audit;
    private final Clock clock;
    private final Map<String, Authoriser> authorisers;

    /** @param authorisers who is an operator, by platform name ({@code slack}, {@code discord}, {@code shell}) */
    public Admin(Router router, ConversationStore store, AuditLog audit, Settings settings, UsageLedger usage,
                 Clock clock, Supplier<Status> status, Map<String, Authoriser> authorisers) {
        this.commands = new Commands(router, store, settings, usage, clock, status);
        this.audit = audit;
        this.clock = clock;
        this.authorisers = Map.copyOf(authorisers);
    }

    /** How {@code reload} re-reads the config; set once at start. */
    /** What {@code tools} answers: the MCP servers and their tools now. */
    public void toolsWith(java.util.function.Supplier<String> report) {
        commands.toolsWith(report);
    }

    public void reloadWith(Reload how) {
        commands.reloadWith(how);
    }

    /**
     * Whether a user may run admin commands, as the platform's {@link Authoriser} decides.
     *
     * @param platform slack, discord or shell
     * @param roles the user's role ids where the platform has roles, else empty
     */
    public boolean isOperator(String platform, String userId, Collection<String> roles) {
        return authorisers.getOrDefault(platform, Authoriser.NOBODY).isOperator(userId, roles);
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
            answer = AnswerWriter.write(commands.run(CommandParser.parse(where, line, places)));
        } catch (RuntimeException e) {
            // A store or file failure must reach the operator as a sentence, and the audit log as a failure.
            answer = new Answer.Text("failed: " + e.getMessage());
        }
        audit.record(clock.instant(), where.platform(), userId, line.isEmpty() ? "status" : line,
                firstLine(answer.text()));
        return answer;
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl) + " …";
    }
}
