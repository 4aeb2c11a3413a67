package dev.switchboard.adapter.shell;

import dev.switchboard.routing.ToolStatus;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jline.reader.LineReader;

/**
 * Asks at the prompt whether a {@code confirm}ed tool may run: {@code y} runs it, anything else declines. The shell's
 * own loop waits for the reply meanwhile, so the line is read on a thread of its own. In the terminal the user who
 * asked is the one at the keyboard.
 */
final class TerminalApprovals {

    private final Supplier<LineReader> reader;
    private final PrintWriter out;

    TerminalApprovals(Supplier<LineReader> reader, PrintWriter out) {
        this.reader = reader;
        this.out = out;
    }

    CompletableFuture<Boolean> ask(ToolStatus call) {
        LineReader lines = reader.get();
        if (lines == null) {
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        Thread.ofVirtual().name("tool-approval").start(() -> {
            try {
                out.println();
                out.flush();
                String typed = lines.readLine("run " + call.tool() + (call.arguments().isEmpty() ? ""
                        : " (" + call.arguments() + ")") + "? [y/N] ");
                answer.complete(typed != null && typed.strip().toLowerCase(Locale.ROOT).startsWith("y"));
            } catch (RuntimeException e) {
                answer.complete(false); // Ctrl-C, Ctrl-D, a closed terminal: not approved
            }
        });
        return answer;
    }
}
