package dev.switchboard.adapter.discord;

import dev.switchboard.answering.ChatThread;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ForwardingSink;
import dev.switchboard.live.ReplySink;
import dev.switchboard.live.ReplySurface;
import dev.switchboard.live.Ticker;
import dev.switchboard.routing.ReplyOutcome;
import java.time.Duration;
import java.util.List;

/**
 * One Discord conversation being answered: where the reply goes, its budgets, and a typing indicator that shows
 * until the first words are posted (Discord clears it after ten seconds or on the bot's next message, so it is
 * renewed every eight). Typing is a courtesy paid from its own allowance: when many replies wait at once it is
 * skipped (and tried again a second later) rather than spend the bot's global rate limit that answers need.
 */
final class DiscordThread implements ChatThread<ReplySurface>, ReplySurface {

    static final Duration TYPING_EVERY = Duration.ofSeconds(8);
    static final Duration TYPING_RETRY = Duration.ofSeconds(1);

    private final ReplySink sink;
    private final List<Budget> budgets;
    private final Runnable sendTyping;
    private final Budget typingAllowance;
    private final Ticker ticker;
    private boolean typingStarted;
    private boolean typingStopped;

    /**
     * @param sendTyping shows "typing…" once; null where the platform shows its own (a deferred interaction)
     * @param typingAllowance shared by every reply of the bot; a typing call that finds it empty is skipped
     */
    DiscordThread(ReplySink sink, List<Budget> budgets, Runnable sendTyping, Budget typingAllowance, Ticker ticker) {
        this.sink = new TypingStops(sink);
        this.budgets = budgets;
        this.sendTyping = sendTyping;
        this.typingAllowance = typingAllowance;
        this.ticker = ticker;
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
        return budgets;
    }

    @Override
    public void working() {
        synchronized (this) {
            if (sendTyping == null || typingStarted) {
                return;
            }
            typingStarted = true;
        }
        type();
    }

    private void type() {
        synchronized (this) {
            if (typingStopped) {
                return;
            }
        }
        boolean sent = typingAllowance.tryTake();
        if (sent) {
            sendTyping.run();
        }
        ticker.schedule(sent ? TYPING_EVERY : TYPING_RETRY, this::type);
    }

    private synchronized void stopTyping() {
        typingStopped = true;
    }

    @Override
    public void finished(ReplyOutcome outcome, List<String> messageIds) {
        stopTyping();
    }

    /** The first post ends the typing indicator. */
    private final class TypingStops extends ForwardingSink {

        TypingStops(ReplySink inner) {
            super(inner);
        }

        @Override
        public java.util.concurrent.CompletionStage<String> post(String text) {
            stopTyping();
            return super.post(text);
        }
    }
}
