package dev.switchboard.adapter.shell;

import dev.switchboard.answering.ChatThread;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.live.SideBySide;
import dev.switchboard.routing.ReplyOutcome;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A comparison in the terminal. The answers stream at once through the live engine, each into a message of its own
 * held here: a terminal cannot grow three texts side by side, so each is printed whole, under its model's name, when
 * it ends (its last line is its footer). Thread-safe.
 */
final class TerminalComparison implements ChatThread<ReplySurface>, SideBySide {

    private final PrintWriter out;
    private final Budget budget;
    private final List<String> models;
    private final List<Side> sides = new ArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();

    TerminalComparison(PrintWriter out, Budget budget, List<String> models) {
        this.out = out;
        this.budget = budget;
        this.models = List.copyOf(models);
        for (String m : models) {
            sides.add(new Side(m));
        }
    }

    @Override
    public ReplySurface surface() {
        return this;
    }

    @Override
    public List<String> models() {
        return models;
    }

    @Override
    public ReplySurface side(int index) {
        return sides.get(index);
    }

    @Override
    public String botId() {
        return "switchboard";
    }

    @Override
    public ReplySink sink() {
        return sides.getFirst().sink; // a failure before any model started shows in the first one's place
    }

    @Override
    public List<Budget> budgets() {
        return List.of(budget);
    }

    @Override
    public void finished(ReplyOutcome outcome, List<String> messageIds) {
        done.complete(null);
    }

    /** One model's answer: held while it streams, printed when it ends. */
    private final class Side implements ReplySurface {
        final String model;
        final Held sink = new Held();

        Side(String model) {
            this.model = model;
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
            synchronized (out) {
                out.println("assistant (" + model + ") › " + sink.text());
                out.flush();
            }
        }
    }

    /** The text of one message as the engine last wrote it. */
    private static final class Held implements ReplySink {
        private String text = "";

        synchronized String text() {
            return text;
        }

        @Override
        public synchronized CompletionStage<String> post(String t) {
            text = t;
            return CompletableFuture.completedFuture("compared");
        }

        @Override
        public synchronized CompletionStage<Void> edit(String messageId, String t) {
            text = t;
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> delete(String messageId) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public int maxChars() {
            return 1_000_000;
        }

        @Override
        public String format(String markdown) {
            return markdown;
        }

        @Override
        public String placeholder() {
            return "";
        }

        @Override
        public String cursor() {
            return "";
        }
    }
}
