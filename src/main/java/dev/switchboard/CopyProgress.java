package dev.switchboard;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * How far {@code store copy} is, one kind of item at a time. On a terminal: one line redrawn in place, a bar with the
 * percentage and the count. Anywhere else (a pipe, a file, a CI log): a plain line each time another tenth is done or
 * a few seconds passed since the last one, so a log gets a bounded number of lines and a slow copy still shows it is
 * alive. Not thread-safe.
 */
final class CopyProgress {

    /** How often a terminal line is redrawn at most. */
    static final Duration REDRAW = Duration.ofMillis(100);
    /** The longest a plain output stays silent while items are being copied. */
    static final Duration PLAIN_EVERY = Duration.ofSeconds(5);
    private static final int PERCENT_STEP = 10;
    private static final int BAR = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private final Clock clock;
    private String kind = "";
    private long total;
    private long done;
    private Instant shownAt = Instant.MIN;
    private long shownPercent = -1;
    private long shownDone = -1;
    private int width;

    /** @param terminal whether {@code out} goes to a terminal that understands a carriage return */
    CopyProgress(PrintWriter out, boolean terminal, Clock clock) {
        this.out = out;
        this.terminal = terminal;
        this.clock = clock;
    }

    /** Starts counting {@code total} items of a kind ("conversations"), showing 0 of them. */
    void start(String kind, long total) {
        this.kind = kind;
        this.total = total;
        this.done = 0;
        this.shownPercent = -1;
        this.shownDone = -1;
        this.width = 0;
        show();
    }

    /** One more item done. */
    void advance() {
        done++;
        if (done >= total) {
            return; // finish() shows the last state
        }
        Instant now = clock.instant();
        boolean due = terminal ? !now.isBefore(shownAt.plus(REDRAW))
                : percent() / PERCENT_STEP > shownPercent / PERCENT_STEP || !now.isBefore(shownAt.plus(PLAIN_EVERY));
        if (due) {
            show();
        }
    }

    /** The kind is done: shows its final count and ends the line. */
    void finish() {
        done = Math.max(done, total);
        if (done != shownDone) {
            show();
        }
        if (terminal) {
            out.println();
        }
        out.flush();
    }

    /** A line of its own between progress lines (on a terminal, above the bar, which is drawn again). */
    void note(String line) {
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())) + System.lineSeparator());
            width = 0;
            show();
        } else {
            out.println(line);
            out.flush();
        }
    }

    private long percent() {
        return total == 0 ? 100 : done * 100 / total;
    }

    private void show() {
        long percent = percent();
        if (terminal) {
            int filled = (int) (percent * BAR / 100);
            String line = String.format(Locale.ROOT, "%-14s [%s%s] %3d%%  %,d/%,d", kind, "#".repeat(filled),
                    "-".repeat(BAR - filled), percent, done, total);
            // pad over a longer line drawn before (the count's width can only grow, but be safe)
            out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
            width = line.length();
        } else {
            out.printf(Locale.ROOT, "%s: %d/%d (%d%%)%n", kind, done, total, percent);
        }
        out.flush();
        shownAt = clock.instant();
        shownPercent = percent;
        shownDone = done;
    }
}
