package dev.switchboard.adapter.shell;

import dev.switchboard.answering.ChatThread;
import dev.switchboard.live.Budget;
import dev.switchboard.live.Comparison;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.routing.ReplyOutcome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A comparison in the terminal. The answers stream at once through the live engine, each into a text of its own held
 * here: a terminal cannot grow three texts side by side, so each is printed whole, under its model's name, when it
 * ends (its last line is its footer). Thread-safe.
 */
final class TerminalComparison extends Comparison implements ChatThread<ReplySurface> {

    final CompletableFuture<Void> done = new CompletableFuture<>();

    TerminalComparison(PrintWriter out, Budget budget, List<String> models) {
        super(models, "switchboard", models.stream().map(m -> new Side(out, budget, m)).toList());
    }

    @Override
    public ReplySurface surface() {
        return this;
    }

    @Override
    public void finished(ReplyOutcome outcome, List<String> messageIds) {
        done.complete(null);
    }

    /** One model's answer: written into memory as it streams, printed when it ends. */
    private static final class Side implements ReplySurface {
        private final PrintWriter out;
        private final Budget budget;
        private final String model;
        private final StringWriter held = new StringWriter();
        private final TerminalSink sink = new TerminalSink(new PrintWriter(held));

        Side(PrintWriter out, Budget budget, String model) {
            this.out = out;
            this.budget = budget;
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
            String text = held.toString();
            synchronized (out) {
                out.println("assistant (" + model + ") › " + (text.startsWith(TerminalSink.PREFIX)
                        ? text.substring(TerminalSink.PREFIX.length()) : text));
                out.flush();
            }
        }
    }
}
