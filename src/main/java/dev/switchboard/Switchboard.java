package dev.switchboard;

import dev.switchboard.config.ConfigException;
import dev.switchboard.adapter.shell.SystemTerminal;
import dev.switchboard.adapter.shell.TerminalCommands;
import dev.switchboard.routing.ModelFactory;
import dev.switchboard.routing.Router;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.logging.LogSetup;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line: {@code switchboard [run]} starts the service, {@code switchboard config} checks the config and
 * prints it with secrets masked. Exit codes: 0 done, 1 failed while running, 2 the config or the arguments are wrong.
 */
@Command(name = "switchboard", mixinStandardHelpOptions = true, version = "Switchboard 0.1.0",
        description = "LLM assistants in Slack and Discord that keep answering when a provider has a bad day.",
        subcommands = {Switchboard.ConfigCommand.class, Switchboard.AskCommand.class, Switchboard.CheckCommand.class,
                StoreCommand.class},
        exitCodeOnInvalidInput = Switchboard.EXIT_CONFIG)
public final class Switchboard implements Callable<Integer> {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_CONFIG = 2;
    static final Path DEFAULT_CONFIG = Path.of("config", "switchboard.yaml");

    @Option(names = {"-c", "--config"}, description = "Config file (default: config/switchboard.yaml; a missing"
            + " default file means built-in defaults).", scope = CommandLine.ScopeType.INHERIT)
    Path config;

    @Option(names = "--log-format", description = "json (default) or text; overrides logging.format.",
            scope = CommandLine.ScopeType.INHERIT)
    String logFormat;

    @Option(names = "--shell", description = "Talk to the bot in this terminal (the default when no chat platform"
            + " is configured and the terminal is interactive).")
    boolean shell;

    @Option(names = "--no-shell", description = "Never open the shell, even in an interactive terminal.")
    boolean noShell;

    private final Map<String, String> env;
    final PrintWriter out;
    final PrintWriter err;
    private final CountDownLatch stop;

    Switchboard(Map<String, String> env, PrintWriter out, PrintWriter err, CountDownLatch stop) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.stop = stop;
    }

    public static void main(String[] args) {
        // UTF-8 whatever the locale: a POSIX locale's ASCII would print every non-ASCII character as "?".
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        CountDownLatch stop = new CountDownLatch(1);
        try {
            // SIGTERM is a normal stop: drain, store, exit 0 (the JVM's own handling would exit 143).
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> stop.countDown());
        } catch (IllegalArgumentException noSuchSignal) {
            // a platform without SIGTERM: the shutdown hook still closes the service
        }
        int code = execute(args, System.getenv(), out, err, stop);
        LogSetup.flush(); // the last lines, such as "stopped", are still queued in the asynchronous appender
        System.exit(code);
    }

    /** Runs a command line; {@code stop} ends a running service (main never counts it down: SIGTERM does). */
    static int execute(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, CountDownLatch stop) {
        CommandLine cli = new CommandLine(new Switchboard(env, out, err, stop));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            org.slf4j.LoggerFactory.getLogger(Switchboard.class).error("switchboard stopped on an unexpected error", e);
            err.println("switchboard: stopped on an unexpected error: " + e);
            return EXIT_FAILED;
        });
        try {
            return cli.execute(args);
        } catch (Error e) {
            org.slf4j.LoggerFactory.getLogger(Switchboard.class).error("switchboard stopped on a fatal error", e);
            err.println("switchboard: stopped on a fatal error: " + e);
            return EXIT_FAILED;
        }
    }

    /** Starts the service and blocks until SIGTERM or Ctrl-C. */
    @Override
    public Integer call() {
        ConfigLoader.Loaded loaded;
        try {
            loaded = load();
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return EXIT_CONFIG;
        }
        String format = logFormat != null ? logFormat : loaded.config().logging().format();
        if (!logFormatValid()) {
            return EXIT_CONFIG;
        }
        boolean openShell = shell || !noShell && !loaded.config().slack().active()
                && !loaded.config().discord().active() && SystemTerminal.interactive();
        if (openShell) {
            // The terminal belongs to the conversation: only errors are logged, and to stderr.
            LogSetup.apply("text", "ERROR", loaded.secretValues(), true);
        } else {
            LogSetup.apply(format, loaded.config().logging().level(), loaded.secretValues());
        }
        Service service;
        try {
            service = new Service(loaded, Clock.systemUTC(), this::load).start();
        } catch (IllegalStateException | dev.switchboard.conversation.StoreException e) {
            err.println("switchboard: " + e.getMessage());
            return EXIT_FAILED;
        }
        ServiceRun run = new ServiceRun(service, loaded.config().ops().drainTimeout(), stop);
        return openShell ? run.inShell(err) : run.untilStopped();
    }

    /** Whether {@code --log-format}, when given, is one the service can use; says why not on stderr. */
    boolean logFormatValid() {
        if (logFormat == null || logFormat.equals("json") || logFormat.equals("text")) {
            return true;
        }
        err.println("--log-format must be json or text, not \"" + logFormat + "\"");
        return false;
    }

    /** Runs a terminal command on the loaded config, logging to stderr; a bad config is exit code 2. */
    int withTerminal(java.util.function.BiFunction<ConfigLoader.Loaded, TerminalCommands, Integer> command) {
        ConfigLoader.Loaded loaded;
        try {
            loaded = load();
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return EXIT_CONFIG;
        }
        LogSetup.apply("text", "ERROR", loaded.secretValues(), true);
        java.util.concurrent.ScheduledExecutorService scheduler = Router.scheduler(2, r -> {
            Thread t = new Thread(r, "router");
            t.setDaemon(true);
            return t;
        });
        Router router = new Router(RouterOptionsMapping.of(loaded.config()), new ModelFactory(), scheduler,
                java.time.Clock.systemUTC(), java.util.random.RandomGenerator.getDefault(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        try (var tools = ToolWiring.start(loaded.config(), router, scheduler,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
             TerminalCommands terminal = new TerminalCommands(loaded, router)) {
            return command.apply(loaded, terminal);
        } finally {
            scheduler.shutdownNow();
        }
    }

    ConfigLoader.Loaded load() {
        Path file = config != null ? config : DEFAULT_CONFIG;
        return new ConfigLoader().load(file, config != null, env);
    }

    /** {@code switchboard ask "question"}: one answer streamed to the terminal through the configured routes. */
    @Command(name = "ask", mixinStandardHelpOptions = true,
            description = "Ask the configured providers one question; the answer streams to the terminal.")
    static final class AskCommand implements Callable<Integer> {

        @CommandLine.ParentCommand
        Switchboard parent;

        @CommandLine.Parameters(arity = "1..*", paramLabel = "QUESTION", description = "The question.")
        java.util.List<String> words;

        @Override
        public Integer call() {
            String question = String.join(" ", words);
            if (question.isBlank()) {
                parent.err.println("switchboard ask: the question is empty. Usage: switchboard ask \"QUESTION\"");
                return EXIT_CONFIG;
            }
            return parent.withTerminal((loaded, terminal) -> terminal.ask(question, parent.out, parent.err));
        }
    }

    /** {@code switchboard check}: validates the config and probes every provider's models. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check the config and send one tiny request to every model of every active provider.")
    static final class CheckCommand implements Callable<Integer> {

        @CommandLine.ParentCommand
        Switchboard parent;

        @Override
        public Integer call() {
            return parent.withTerminal((loaded, terminal) -> {
                parent.out.println(loaded.source() + ": valid");
                return terminal.check(parent.out);
            });
        }
    }

    /** {@code switchboard config}: validates the config and prints it as the service sees it, secrets masked. */
    @Command(name = "config", mixinStandardHelpOptions = true,
            description = "Check the config and print it with defaults filled in and secrets masked.")
    static final class ConfigCommand implements Callable<Integer> {

        @CommandLine.ParentCommand
        Switchboard parent;

        @Override
        public Integer call() {
            try {
                ConfigLoader.Loaded loaded = parent.load();
                if (!parent.logFormatValid()) {
                    return EXIT_CONFIG;
                }
                parent.out.println("# " + loaded.source() + ": valid");
                loaded.warnings().forEach(w -> parent.out.println("# warning: " + w));
                parent.out.print(new ConfigLoader().render(loaded.config()));
                parent.out.flush();
                return EXIT_OK;
            } catch (ConfigException e) {
                parent.err.println(e.getMessage());
                return EXIT_CONFIG;
            }
        }
    }
}
