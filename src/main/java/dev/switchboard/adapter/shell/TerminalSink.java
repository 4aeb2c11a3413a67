package dev.switchboard.adapter.shell;

import dev.switchboard.live.ReplySink;
import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A reply written into a terminal. Text on a terminal only grows: each write prints what is new since the last one.
 * When a reply starts over (a fallback after a failure mid-stream), a marker line says so and the new text follows.
 * The terminal has no length limit worth splitting at and shows its own progress, so no placeholder and no cursor.
 * Thread-safe.
 */
final class TerminalSink implements ReplySink {

    static final String PREFIX = "assistant › ";
    static final String RESTART = "\n↻ (another model takes over)\n";

    private final PrintWriter out;
    private String printed = "";
    private boolean started;

    private final TerminalApprovals approvals;

    TerminalSink(PrintWriter out) {
        this(out, null);
    }

    /** @param approvals asks at the prompt about {@code confirm}ed tools; null declines them */
    TerminalSink(PrintWriter out, TerminalApprovals approvals) {
        this.out = out;
        this.approvals = approvals;
    }

    /** A tool call's progress on a line of its own; the answer goes on after it. */
    @Override
    public synchronized boolean showsToolStatus(dev.switchboard.routing.ToolStatus status) {
        if (status.state() != dev.switchboard.routing.ToolStatus.State.WAITING_FOR_APPROVAL) {
            out.print("\n  " + status.line() + "\n");
            out.flush();
        }
        return true;
    }

    @Override
    public java.util.concurrent.CompletableFuture<Boolean> askApproval(dev.switchboard.routing.ToolStatus call) {
        return approvals == null ? java.util.concurrent.CompletableFuture.completedFuture(false)
                : approvals.ask(call);
    }

    @Override
    public synchronized CompletionStage<String> post(String text) {
        if (!started) {
            out.print(PREFIX);
            started = true;
        }
        show(text);
        return CompletableFuture.completedFuture("terminal");
    }

    @Override
    public synchronized CompletionStage<Void> edit(String messageId, String text) {
        show(text);
        return CompletableFuture.completedFuture(null);
    }

    private void show(String text) {
        if (text.startsWith(printed)) {
            out.print(text.substring(printed.length()));
        } else {
            out.print(RESTART);
            out.print(text);
        }
        printed = text;
        out.flush();
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

    /** Whether anything of the reply was printed. */
    synchronized boolean printedAnything() {
        return started;
    }
}
