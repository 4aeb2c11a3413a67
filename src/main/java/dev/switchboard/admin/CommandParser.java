package dev.switchboard.admin;

import dev.switchboard.conversation.ConversationKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Reads an operator's line ({@code provider spare off}, {@code model #general openai/gpt-4o}) as a {@link Command}.
 * A line that is not a valid command becomes {@link Command.Invalid} with the sentence to show. Stateless.
 */
final class CommandParser {

    private static final Set<String> PER_CHANNEL = Set.of("route", "model", "prompt");
    private static final Set<String> PER_THREAD = Set.of("forget", "export");

    private CommandParser() {
    }

    /**
     * @param here the thread or channel the command was given in
     * @param line the command without the platform's prefix; empty means {@code status}
     * @param places what the platform's channel and thread references mean
     */
    static Command parse(ConversationKey here, String line, Admin.Places places) {
        String[] words = line.isEmpty() ? new String[] {""} : line.split("\\s+");
        String verb = words[0].isEmpty() ? "status" : words[0].toLowerCase(Locale.ROOT);
        // route, model and prompt may name a channel first; forget and export a thread.
        ConversationKey where = here;
        int first = 1;
        if (words.length > 1 && PER_CHANNEL.contains(verb) && isChannelReference(words[1])) {
            where = places.channel(words[1]);
            if (where == null) {
                return new Command.Invalid("not changed: " + words[1] + " is not a channel I can see.");
            }
            first = 2;
        }
        if (words.length > 1 && PER_THREAD.contains(verb)) {
            where = places.thread(words[1]);
            if (where == null) {
                return new Command.Invalid("no thread " + words[1] + ": give a message link or a thread id, or run"
                        + " the command in the thread.");
            }
        }
        String[] args = Arrays.copyOfRange(words, Math.min(first, words.length), words.length);
        return command(verb, here, where, args);
    }

    private static Command command(String verb, ConversationKey here, ConversationKey where, String[] args) {
        return switch (verb) {
            case "status" -> new Command.ShowStatus(here);
            case "provider" -> args.length < 2 || !(args[1].equals("on") || args[1].equals("off"))
                    ? new Command.Invalid("usage: provider <name> on|off")
                    : new Command.SwitchProvider(args[0], args[1].equals("on"));
            case "model" -> args.length < 1 ? new Command.Invalid("usage: model [#channel] <provider/model>|default")
                    : new Command.PinModel(here, where, orDefault(args[0]));
            case "route" -> args.length < 1 ? new Command.Invalid("usage: route [#channel] <name>|default")
                    : new Command.ChooseRoute(here, where, orDefault(args[0]));
            case "prompt" -> {
                String prompt = String.join(" ", args).strip();
                yield prompt.isEmpty() ? new Command.Invalid("usage: prompt [#channel] <text>|default")
                        : new Command.SetPrompt(here, where, orDefault(prompt));
            }
            case "forget" -> new Command.Forget(where);
            case "export" -> new Command.Export(where);
            case "usage" -> usage(args.length > 0 ? args[0] : "24h");
            case "forget-user" -> args.length < 1 ? new Command.Invalid("usage: forget-user <user id> (or a mention)")
                    : new Command.ForgetUser(where.platform(), userId(args[0]));
            case "reload" -> new Command.Reload();
            case "tools" -> new Command.ShowTools();
            default -> new Command.Invalid("unknown command \"" + (verb.length() > 40 ? verb.substring(0, 40) + "…"
                    : verb) + "\". Commands:\n" + Admin.HELP);
        };
    }

    /** {@code default} resets a setting: null. */
    private static String orDefault(String value) {
        return value.equals("default") ? null : value;
    }

    private static boolean isChannelReference(String word) {
        return word.startsWith("<#") || word.startsWith("#");
    }

    /** A window of {@code N h} or {@code N d}, such as {@code 24h} or {@code 7d}. */
    private static Command usage(String window) {
        try {
            long n = Long.parseLong(window.substring(0, window.length() - 1));
            Duration span = switch (window.charAt(window.length() - 1)) {
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException(window);
            };
            return new Command.ShowUsage(window, span);
        } catch (RuntimeException e) {
            return new Command.Invalid("usage: usage [24h|7d] (a number of hours or days)");
        }
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
}
