package dev.switchboard;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Turn;
import dev.switchboard.routing.Failure;
import dev.switchboard.routing.ModelFactory;
import dev.switchboard.routing.ReplyListener;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.ReplyRequest;
import dev.switchboard.routing.Router;
import dev.switchboard.routing.Target;
import dev.switchboard.routing.TargetFailure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/** The routing core used from a terminal: {@code ask} and {@code check}. Not thread-safe; one command at a time. */
final class Terminal implements AutoCloseable {

    private final SwitchboardConfig config;
    private final ScheduledExecutorService scheduler = Router.scheduler(2, r -> {
        Thread t = new Thread(r, "router");
        t.setDaemon(true);
        return t;
    });
    private final Router router;

    Terminal(SwitchboardConfig config) {
        this.config = config;
        this.router = new Router(RouterOptionsMapping.of(config), new ModelFactory(), scheduler, Clock.systemUTC(),
                RandomGenerator.getDefault(), new SimpleMeterRegistry());
    }

    int ask(String question, PrintWriter out, PrintWriter err) {
        ConversationKey key = new ConversationKey("cli", "local", "terminal", UUID.randomUUID().toString());
        List<Turn> history = List.of(Turn.user("local", System.getProperty("user.name", "you"), question,
                Clock.systemUTC().instant(), List.of()));
        ReplyOutcome outcome = router.reply(new ReplyRequest(key, history, System.getProperty("user.name", ""),
                "a terminal"), new ReplyListener() {
                    @Override
                    public void onToken(String text) {
                        out.print(text);
                        out.flush();
                    }

                    @Override
                    public void onReset(Target failed, Failure why, Target next) {
                        out.println();
                        out.println("[" + failed.id() + " broke off (" + why.label().replace('_', ' ') + "); "
                                + next.id() + " answers instead]");
                        out.flush();
                    }

                    @Override
                    public void onDone(ReplyOutcome result) {
                    }
                }).outcome().join();
        return switch (outcome) {
            case ReplyOutcome.Completed c -> {
                out.println();
                out.println();
                out.println(footer(c));
                yield Switchboard.EXIT_OK;
            }
            case ReplyOutcome.Failed f -> {
                err.println(f.userMessage());
                err.println(explain(f.failures()));
                yield Switchboard.EXIT_FAILED;
            }
            case ReplyOutcome.Cancelled c -> Switchboard.EXIT_FAILED;
        };
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

    /** One paragraph on what to set, instead of a stack trace. */
    private String explain(List<TargetFailure> failures) {
        String tried = failures.isEmpty() ? "No provider is active."
                : "Tried: " + failures.stream().map(f -> f.target().id() + " (" + describe(f.failure()) + ")")
                        .collect(Collectors.joining(", ")) + ".";
        return tried + " To answer, Switchboard needs one working provider: export OPENAI_API_KEY, ANTHROPIC_API_KEY"
                + " or GEMINI_API_KEY, or run Ollama at http://localhost:11434 (ollama serve, then ollama pull"
                + " llama3.2), as configured in config/switchboard.yaml. ./switchboard check tests each one.";
    }

    private static String describe(Failure f) {
        return switch (f) {
            case Failure.Unavailable u -> u.reason();
            case Failure.ConnectionFailed c -> c.refused() ? "nothing listens there" : "connection broke";
            case Failure.Authentication a -> "key refused";
            case Failure.ModelNotFound m -> "model not found";
            default -> f.label().replace('_', ' ');
        };
    }

    int check(ConfigLoader.Loaded loaded, PrintWriter out) {
        if (config.providers().isEmpty()) {
            out.println("no providers configured: add one under providers: (see config/switchboard.yaml)");
            return Switchboard.EXIT_FAILED;
        }
        int width = config.providers().entrySet().stream()
                .flatMap(e -> e.getValue().models().stream().map(m -> e.getKey() + "/" + m))
                .mapToInt(String::length).max().orElse(10) + 2;
        config.providers().forEach((name, p) -> {
            if (!p.active()) {
                String key = "providers." + name + ".api_key";
                out.println(pad(name + "/*", width) + "off      " + (p.enabled() == dev.switchboard.config.Toggle.OFF
                        ? "disabled in the config"
                        : "export " + loaded.variableFor(key, name.toUpperCase(Locale.ROOT) + "_API_KEY")));
            }
        });
        boolean allOk = true;
        for (Router.Check c : router.check()) {
            String where = Service.withoutCredentials(config.providers().get(c.provider()).baseUrl());
            if (c.failure() == null) {
                out.println(pad(c.provider() + "/" + c.model(), width) + "ok       answered in "
                        + c.took().toMillis() + " ms");
            } else {
                allOk = false;
                out.println(pad(c.provider() + "/" + c.model(), width) + "FAILED   " + describe(c.failure())
                        + " at " + where);
            }
        }
        out.flush();
        return allOk ? Switchboard.EXIT_OK : Switchboard.EXIT_FAILED;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    @Override
    public void close() {
        router.close();
        scheduler.shutdownNow();
    }
}
