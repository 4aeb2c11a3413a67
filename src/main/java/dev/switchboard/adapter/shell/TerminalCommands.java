package dev.switchboard.adapter.shell;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.config.Toggle;
import dev.switchboard.config.Urls;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Turn;
import dev.switchboard.routing.Failure;
import dev.switchboard.routing.ReplyListener;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.ReplyRequest;
import dev.switchboard.routing.Router;
import dev.switchboard.routing.Target;
import dev.switchboard.routing.TargetFailure;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The routing core used from a terminal, without the rest of the service: {@code switchboard ask} and
 * {@code switchboard check}. Each returns the command's exit code: 0 done, 1 failed. Not thread-safe; one command at a
 * time.
 */
public final class TerminalCommands implements AutoCloseable {

    private static final int OK = 0;
    private static final int FAILED = 1;


    private final ConfigLoader.Loaded loaded;
    private final SwitchboardConfig config;
    private final Router router;

    /** Uses a router of its own, built from the loaded config by the caller; closing these commands closes it. */
    public TerminalCommands(ConfigLoader.Loaded loaded, Router router) {
        this.loaded = loaded;
        this.config = loaded.config();
        this.router = router;
    }

    /** Streams one answer to {@code out}; what went wrong and what to set goes to {@code err}. */
    public int ask(String question, PrintWriter out, PrintWriter err) {
        ConversationKey key = new ConversationKey("cli", "local", "terminal", UUID.randomUUID().toString());
        List<Turn> history = List.of(Turn.user("local", System.getProperty("user.name", "you"), question,
                Clock.systemUTC().instant(), List.of()));
        Printer printer = new Printer(out);
        ReplyOutcome outcome = router.reply(new ReplyRequest(key, history, System.getProperty("user.name", ""),
                "a terminal"), printer).outcome().join();
        return switch (outcome) {
            case ReplyOutcome.Completed c -> {
                out.println();
                out.println();
                out.println(footer(c));
                yield OK;
            }
            case ReplyOutcome.Failed f -> {
                if (printer.endLine()) {
                    err.println("[the answer above was cut off" + f.failures().stream().reduce((a, b) -> b)
                            .map(last -> ": " + last.target().id() + " " + describe(last.failure())).orElse("") + "]");
                }
                err.println(f.userMessage());
                err.println(explain(f.failures()));
                yield FAILED;
            }
            case ReplyOutcome.Cancelled c -> {
                printer.endLine();
                yield FAILED;
            }
        };
    }

    /** Streams an answer to the terminal and knows whether a line of it is still open. */
    private static final class Printer implements ReplyListener {
        private final PrintWriter out;
        private boolean partial;
        private boolean midLine;

        Printer(PrintWriter out) {
            this.out = out;
        }

        @Override
        public synchronized void onToken(String text) {
            out.print(text);
            out.flush();
            if (!text.isEmpty()) {
                partial = true;
                midLine = !text.endsWith("\n");
            }
        }

        @Override
        public synchronized void onReset(Target failed, Failure why, Target next) {
            out.println();
            out.println("[" + failed.id() + " broke off (" + why.label().replace('_', ' ') + "); "
                    + next.id() + " answers instead]");
            out.flush();
            partial = false;
            midLine = false;
        }

        @Override
        public void onDone(ReplyOutcome result) {
        }

        /** Ends a partial answer's open line, so what follows starts on its own. @return whether text was shown */
        synchronized boolean endLine() {
            if (midLine) {
                out.println();
                out.flush();
                midLine = false;
            }
            return partial;
        }
    }

    static String footer(ReplyOutcome.Completed c) {
        StringBuilder sb = new StringBuilder("-- ").append(c.target().id())
                .append(String.format(Locale.ROOT, " · first token %.2f s", c.firstToken().toMillis() / 1000.0))
                .append(" · ").append(c.usage().input()).append(" in / ").append(c.usage().output()).append(" out tokens");
        List<TargetFailure> tried = c.failures();
        if (!tried.isEmpty()) {
            sb.append(" · after ").append(tried.stream().map(f -> f.target().id() + " (" + f.failure().label()
                    .replace('_', ' ') + ")").collect(Collectors.joining(", ")));
        }
        if (c.omittedTurns() > 0) {
            sb.append(" · ").append(c.omittedTurns()).append(" older turns left out");
        }
        return sb.toString();
    }

    /**
     * What was tried and, instead of a stack trace, what to set and where: only what is actually missing, in the
     * config file actually loaded. A provider that answered with an error is named with its error class alone.
     */
    private String explain(List<TargetFailure> failures) {
        String tried = failures.isEmpty() ? "No provider is active."
                : "Tried: " + failures.stream().map(f -> f.target().id() + " (" + describe(f.failure()) + ")")
                        .collect(Collectors.joining(", ")) + ".";
        List<String> advice = new java.util.ArrayList<>();
        if (config.providers().isEmpty()) {
            advice.add("No provider is configured in " + loaded.source() + ": add one under providers:, as in the"
                    + " sample config/switchboard.yaml.");
        }
        config.providers().forEach((name, p) -> {
            if (p.enabled() != Toggle.OFF && p.type().needsKey() && !p.apiKey().isPresent()) {
                String key = "providers." + name + ".api_key";
                advice.add("To turn on " + name + ", export " + loaded.variableFor(key,
                        name.toUpperCase(Locale.ROOT).replace('-', '_') + "_API_KEY") + " (read through " + key
                        + " in " + loaded.source() + ").");
            }
        });
        failures.stream().filter(f -> f.failure() instanceof Failure.ConnectionFailed c && c.refused())
                .map(f -> f.target().provider()).distinct().forEach(name -> advice.add(nothingListens(name)));
        return advice.isEmpty() ? tried
                : tried + " " + String.join(" ", advice) + " ./switchboard check tests each provider.";
    }

    private String nothingListens(String name) {
        SwitchboardConfig.Provider p = config.providers().get(name);
        String where = Urls.withoutCredentials(p.baseUrl());
        String key = "providers." + name + ".base_url in " + loaded.source() + ".";
        return p.type() == SwitchboardConfig.ProviderType.OLLAMA
                ? "Nothing listens at " + where + ": start Ollama there (ollama serve, then ollama pull "
                        + p.models().getFirst() + "), or change " + key
                : "Nothing listens at " + where + ": check " + key;
    }

    static String describe(Failure f) {
        return switch (f) {
            case Failure.Unavailable u -> u.reason();
            case Failure.ConnectionFailed c -> c.refused() ? "nothing listens there" : "connection broke";
            case Failure.Authentication a -> "key refused";
            case Failure.ModelNotFound m -> "model not found";
            default -> f.label().replace('_', ' ');
        };
    }

    /**
     * Sends one tiny request to every model of every active provider and prints a line for each, then lists the models
     * each provider serves and marks configured ones it does not. Exit code 0 when every probe answered and every
     * configured model is listed; 1 when a probe failed, a provider could not be reached or a model is not served.
     */
    public int check(PrintWriter out) {
        if (config.providers().isEmpty()) {
            out.println("no providers configured: add one under providers: (see config/switchboard.yaml)");
            return FAILED;
        }
        int width = config.providers().entrySet().stream()
                .flatMap(e -> e.getValue().models().stream().map(m -> e.getKey() + "/" + m))
                .mapToInt(String::length).max().orElse(10) + 2;
        config.providers().forEach((name, p) -> {
            if (!p.active()) {
                String key = "providers." + name + ".api_key";
                out.println(pad(name + "/*", width) + "off      " + (p.enabled() == Toggle.OFF
                        ? "disabled in the config"
                        : "export " + loaded.variableFor(key, name.toUpperCase(Locale.ROOT) + "_API_KEY")));
            }
        });
        boolean allOk = true;
        for (Router.Check c : router.check()) {
            String where = Urls.withoutCredentials(config.providers().get(c.provider()).baseUrl());
            if (c.failure() == null) {
                out.println(pad(c.provider() + "/" + c.model(), width) + "ok       answered in "
                        + c.took().toMillis() + " ms");
            } else {
                allOk = false;
                out.println(pad(c.provider() + "/" + c.model(), width) + "FAILED   " + describe(c.failure())
                        + " at " + where);
            }
        }
        allOk &= ModelListing.print(router.servedModels(), config, width, out, TerminalCommands::describe);
        out.flush();
        return allOk ? OK : FAILED;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    @Override
    public void close() {
        router.close();
    }
}
