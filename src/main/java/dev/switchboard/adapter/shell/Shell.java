package dev.switchboard.adapter.shell;

import dev.switchboard.admin.Admin;
import dev.switchboard.admin.CompareCommand;
import dev.switchboard.answering.Admission;
import dev.switchboard.answering.ChatThread;
import dev.switchboard.answering.Conversations;
import dev.switchboard.answering.Inbound;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.ConversationStore;
import dev.switchboard.conversation.ConversationSummary;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.live.Ticker;
import dev.switchboard.routing.Failure;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.TargetFailure;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;

/**
 * The whole bot in a terminal, as a third adapter on the same core: each conversation is a thread stored under the
 * platform {@code shell}, replies stream through the live engine at the terminal's pace, and the operator commands
 * work with the local user as the operator. Line editing and history come from JLine. Ctrl-C stops the reply being
 * written (and its upstream stream); Ctrl-C at the prompt or Ctrl-D leaves.
 *
 * <p>Not thread-safe: {@link #run()} owns the terminal until it returns.
 */
public final class Shell {

    /** The prompt's reader while the session runs: a {@code confirm}ed tool asks there. */
    private volatile LineReader lineReader;

    static final String PLATFORM = "shell";
    static final String WORKSPACE = "local";
    static final String CHANNEL = "terminal";
    private static final DateTimeFormatter THREAD_ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    private final Terminal terminal;
    private final PrintWriter out;
    private final Conversations<ReplySurface> conversations;
    private final Admin admin;
    private final ConversationStore store;
    private final Ticker ticker;
    private final Clock clock;
    private final SwitchboardConfig config;
    private final Path history;
    private final Conversations.Policy policy;
    private final Budget budget;
    private final String user = System.getProperty("user.name", "you");
    private final AtomicInteger messages = new AtomicInteger();
    private final ShellFiles files = new ShellFiles();
    private String thread;
    private volatile Asking asking;

    /**
     * @param history where line history is kept between sessions; null for none
     */
    public Shell(Terminal terminal, Conversations<ReplySurface> conversations, Admin admin, ConversationStore store,
                 Ticker ticker, Clock clock, SwitchboardConfig config, Path history) {
        this.terminal = terminal;
        this.out = terminal.writer();
        this.conversations = conversations;
        this.admin = admin;
        this.store = store;
        this.ticker = ticker;
        this.clock = clock;
        this.config = config;
        this.history = history;
        this.policy = new Conversations.Policy("switchboard", Conversations.OnNewMessage.QUEUE,
                new Conversations.RateLimit(1_000, Duration.ofMinutes(1)), false);
        // A terminal takes text as fast as it comes; thirty writes a second reads as smooth streaming.
        this.budget = new Budget("terminal", 30, Duration.ofSeconds(1), ticker);
        this.thread = newThreadId();
    }

    /** Reads and answers until the user leaves. @return the exit code, 0 */
    public int run() {
        LineReaderBuilder builder = LineReaderBuilder.builder().terminal(terminal).appName("switchboard");
        if (history != null) {
            builder.variable(LineReader.HISTORY_FILE, history);
        }
        LineReader reader = builder.build();
        this.lineReader = reader;
        // For the whole session: Ctrl-C stops the reply being written, if any, and never kills the process
        // (JLine takes it over while a line is being read, and gives it back afterwards).
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> {
            Asking now = asking;
            if (now != null) {
                conversations.cancel(now.key(), now.messageId(), "stopped with Ctrl-C");
            }
        });
        try {
            return loop(reader);
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
        }
    }

    /** The message whose reply is being written. */
    private record Asking(ConversationKey key, String messageId) { }

    private int loop(LineReader reader) {
        say("Switchboard shell, thread " + thread + ". Type a question, or /help. Ctrl-C stops a reply; Ctrl-D"
                + " leaves.");
        while (true) {
            String line;
            try {
                line = reader.readLine("you › ");
            } catch (UserInterruptException | EndOfFileException e) {
                say("bye.");
                return 0;
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("/")) {
                if (!command(line)) {
                    say("bye.");
                    return 0;
                }
            } else {
                ask(line);
            }
        }
    }

    private ConversationKey key() {
        return new ConversationKey(PLATFORM, WORKSPACE, CHANNEL, thread);
    }

    private String newThreadId() {
        String id = THREAD_ID.format(clock.instant().atZone(ZoneId.systemDefault()));
        String candidate = id;
        for (int n = 2; store.load(new ConversationKey(PLATFORM, WORKSPACE, CHANNEL, candidate)).isPresent(); n++) {
            candidate = id + "-" + n;
        }
        return candidate;
    }

    /** Answers one question, waiting until the reply and its footer are printed; Ctrl-C stops it. */
    void ask(String question) {
        TerminalThread reply = new TerminalThread(new TerminalSink(out, new TerminalApprovals(() -> lineReader, out)));
        ask(question, reply, reply.done);
    }

    /** {@code /compare [models:a,b] question}: each model's answer under its name, then the next prompt. */
    private void compare(String text) {
        if (admin.compare() == null) {
            say("Comparing models is not offered here.");
            return;
        }
        switch (admin.compare().parse(text)) {
            case CompareCommand.Parsed.Refused r -> say(r.userMessage());
            case CompareCommand.Parsed.Compare c -> {
                TerminalComparison compared = new TerminalComparison(out, budget, c.models());
                ask(c.question(), compared, compared.done);
            }
        }
    }

    private void ask(String question, ChatThread<ReplySurface> reply, CompletableFuture<Void> done) {
        String messageId = thread + "." + clock.millis() + "." + messages.incrementAndGet();
        asking = new Asking(key(), messageId);
        try {
            Admission admission = conversations.submit(new Inbound(key(), messageId, user, user, question,
                    clock.instant(), "the terminal", files.take()), reply, policy);
            if (admission instanceof Admission.Refused refused) {
                say(refused.userMessage());
                return;
            }
            done.join();
        } catch (RuntimeException e) {
            say("That could not be stored, so it was not sent: " + e.getMessage());
        } finally {
            asking = null;
        }
    }

    /** @return false to leave */
    private boolean command(String line) {
        String[] words = line.split("\\s+");
        switch (words[0]) {
            case "/quit", "/exit" -> {
                return false;
            }
            case "/new" -> {
                thread = newThreadId();
                say("new thread " + thread + ".");
            }
            case "/threads" -> threads();
            case "/attach" -> say(files.attach(line.substring("/attach".length())));
            case "/open" -> open(words.length > 1 ? words[1] : "");
            case "/switchboard" -> admin(line);
            case "/model" -> say(admin.models() == null ? "Choosing a model is not offered here."
                    : admin.models().run(key(), user, line.substring("/model".length())));
            case "/compare" -> compare(line.substring("/compare".length()));
            case "/good", "/bad" -> say(ShellFeedback.give(conversations.verdicts(), store, key(), user,
                    words[0].equals("/good") ? dev.switchboard.conversation.Verdict.GOOD
                            : dev.switchboard.conversation.Verdict.BAD));
            default -> help();
        }
        return true;
    }

    private void help() {
        say("""
                /new                      start a new thread
                /threads                  list recent threads
                /open <id>                continue a thread
                /attach <path>            a file (image, text, PDF) for your next question
                /model [provider/model [default]|reset]
                                          the model that answers you first (list, this thread, everywhere)
                /compare [models:a,b] <question>
                                          the question to two or three models, side by side
                /good, /bad               tell how the last answer was (👍 / 👎)
                /quit                     leave (or Ctrl-D)
                /switchboard <command>, where <command> is one of:""");
        say(Admin.HELP.indent(2).stripTrailing());
    }

    private void threads() {
        List<ConversationSummary> recent = store.list(ConversationQuery.channel(PLATFORM, WORKSPACE, CHANNEL))
                .stream().sorted(Comparator.comparing(ConversationSummary::lastModified).reversed()).limit(10)
                .toList();
        if (recent.isEmpty()) {
            say("no threads yet.");
            return;
        }
        for (ConversationSummary s : recent) {
            String first = store.load(s.key()).flatMap(c -> c.turns().stream().filter(t -> t.role() == Role.USER)
                    .findFirst()).map(t -> preview(t.text())).orElse("");
            say((s.key().thread().equals(thread) ? "* " : "  ") + s.key().thread() + "  " + first);
        }
    }

    private void open(String id) {
        if (id.isBlank()) {
            say("which thread? /threads lists them.");
            return;
        }
        ConversationKey key = new ConversationKey(PLATFORM, WORKSPACE, CHANNEL, id);
        Conversation c = store.load(key).orElse(null);
        if (c == null) {
            say("no thread " + id + "; /threads lists them.");
            return;
        }
        thread = id;
        say("thread " + id + ", " + c.totalTurns() + " turns. The last ones:");
        List<Turn> turns = c.turns();
        for (Turn t : turns.subList(Math.max(0, turns.size() - 4), turns.size())) {
            say((t.role() == Role.USER ? "you › " : TerminalSink.PREFIX) + preview(t.text()));
        }
    }

    /** The operator commands, run as the local user (who is an operator here). */
    private void admin(String line) {
        Admin.Answer answer = admin.run(user, key(), line.substring("/switchboard".length()), new Admin.Places() {
            @Override
            public ConversationKey thread(String reference) {
                return new ConversationKey(PLATFORM, WORKSPACE, CHANNEL, reference);
            }
        });
        if (answer instanceof Admin.Answer.File file) {
            // Beside the data but in a dot folder, which the store neither counts nor reads.
            Path to = history.resolveSibling(".exports").resolve(file.name());
            try {
                writeWhole(to, file.content());
                say(file.text() + " Written to " + to.toAbsolutePath().normalize());
            } catch (java.io.IOException | RuntimeException e) {
                say("the export could not be written to " + to + ": " + e.getMessage());
            }
            return;
        }
        say(answer.text());
    }

    /** Writes a file whole or not at all (a temporary file renamed), without reaching into the store. */
    private static void writeWhole(Path to, byte[] content) throws java.io.IOException {
        java.nio.file.Files.createDirectories(to.getParent());
        Path temp = java.nio.file.Files.createTempFile(to.getParent(), to.getFileName() + ".", ".tmp");
        try {
            java.nio.file.Files.write(temp, content);
            java.nio.file.Files.move(temp, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            java.nio.file.Files.deleteIfExists(temp);
        }
    }

    private static String preview(String text) {
        String line = text.strip().replace('\n', ' ');
        return line.length() > 70 ? line.substring(0, 69) + "…" : line;
    }

    private void say(String text) {
        out.println(text);
        out.flush();
    }

    private void faint(String text) {
        out.println(new AttributedString(text, AttributedStyle.DEFAULT.faint()).toAnsi(terminal));
        out.flush();
    }

    /** One reply in the terminal; prints the footer when it ends. */
    private final class TerminalThread implements ChatThread<ReplySurface>, ReplySurface {
        private final TerminalSink sink;
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        TerminalThread(TerminalSink sink) {
            this.sink = sink;
        }

        @Override
        public ReplySurface surface() {
            return this;
        }

        @Override
        public ReplySink sink() {
            return sink;
        }

        @Override
        public List<Budget> budgets() {
            return List.of(budget);
        }

        @Override
        public void finished(ReplyOutcome outcome, List<String> messageIds) {
            try {
                if (sink.printedAnything()) {
                    out.println();
                }
                faint(footer(outcome));
                if (outcome instanceof ReplyOutcome.Failed f && nothingReachable(f.failures())) {
                    say(setupHint(f.failures()));
                }
            } finally {
                done.complete(null);
            }
        }
    }

    /** The line under a reply: who answered, how fast, how much, and any fallback. */
    static String footer(ReplyOutcome outcome) {
        return switch (outcome) {
            case ReplyOutcome.Completed c -> "── " + c.target().id() + String.format(Locale.ROOT,
                    " · first token %.2f s · %.2f s", c.firstToken().toMillis() / 1000.0,
                    c.latency().toMillis() / 1000.0)
                    + (c.usage().input() + c.usage().output() > 0 ? " · " + c.usage().input()
                    + " in / " + c.usage().output() + " out tokens" : "")
                    + (c.fellBack() ? " · fell back from " + c.failures().stream().map(TargetFailure::toString)
                    .collect(Collectors.joining(", ")) : "");
            case ReplyOutcome.Failed f -> "── no answer" + (f.failures().isEmpty() ? "" : ": " + f.failures()
                    .stream().map(TargetFailure::toString).collect(Collectors.joining(", ")));
            case ReplyOutcome.Cancelled c -> "── stopped";
        };
    }

    private static boolean nothingReachable(List<TargetFailure> failures) {
        return failures.isEmpty() || failures.stream().allMatch(f -> f.failure() instanceof Failure.ConnectionFailed
                || f.failure() instanceof Failure.Authentication || f.failure() instanceof Failure.ModelNotFound
                || f.failure().label().equals("unavailable"));
    }

    /** One paragraph on what to set and where, when no model could be reached at all. */
    private String setupHint(List<TargetFailure> failures) {
        String ollama = config.providers().values().stream()
                .filter(p -> p.type() == SwitchboardConfig.ProviderType.OLLAMA && p.active())
                .map(p -> p.baseUrl().toString()).findFirst().orElse("http://localhost:11434");
        return "No model could be reached. With no provider key set, Switchboard asks a local Ollama at " + ollama
                + ": install it from https://ollama.com, run `ollama pull " + localModel() + "`, and ask again. Or"
                + " give it a hosted model: export OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY (read through"
                + " providers: in config/switchboard.yaml) and restart. `./switchboard check` tests each provider.";
    }

    private String localModel() {
        return config.providers().values().stream()
                .filter(p -> p.type() == SwitchboardConfig.ProviderType.OLLAMA && !p.models().isEmpty())
                .map(p -> p.models().getFirst()).findFirst().orElse("llama3.2");
    }
}
