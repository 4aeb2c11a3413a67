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
import java.util.function.BooleanSupplier;

/**
 * One Discord conversation being answered: where the reply goes, its budgets, and a typing indicator that shows
 * until the first words are posted (Discord clears it after ten seconds or on the bot's next message, so it is
 * renewed every eight). Typing is a courtesy spent only from what answers do not need: it is skipped (and tried again
 * a second later) while the bot's global allowance has no room to spare, while a budget of this reply has no write
 * free (other replies wait for it), or when its own allowance is spent.
 */
final class DiscordThread implements ChatThread<ReplySurface>, ReplySurface {

    static final Duration TYPING_EVERY = Duration.ofSeconds(8);
    static final Duration TYPING_RETRY = Duration.ofSeconds(1);

    private final ReplySink sink;
    /** The sink as the adapter made it, which can add the feedback buttons; and the answer's conversation. */
    private final ReplySink raw;
    private final dev.switchboard.conversation.ConversationKey key;
    private final List<Budget> budgets;
    /** What the feedback buttons spend: the reply's own scope, not the bot-wide share of the live engine. */
    private final List<Budget> buttonBudgets;
    private final Runnable sendTyping;
    private final Budget typingAllowance;
    private final BooleanSupplier spare;
    private final Ticker ticker;
    private boolean typingStarted;
    private boolean typingStopped;

    /**
     * @param sendTyping shows "typing…" once; null where the platform shows its own (a deferred interaction)
     * @param typingAllowance shared by every reply of the bot; a typing call that finds it empty is skipped
     * @param spare whether the bot's global allowance has room that answers do not need
     */
    DiscordThread(ReplySink sink, List<Budget> budgets, Runnable sendTyping, Budget typingAllowance,
                  BooleanSupplier spare, Ticker ticker) {
        this(sink, budgets, sendTyping, typingAllowance, spare, ticker, null, List.of());
    }

    /**
     * @param key the conversation answered, named by the feedback buttons; null for no buttons
     * @param buttonBudgets what adding the buttons spends
     */
    DiscordThread(ReplySink sink, List<Budget> budgets, Runnable sendTyping, Budget typingAllowance,
                  BooleanSupplier spare, Ticker ticker, dev.switchboard.conversation.ConversationKey key,
                  List<Budget> buttonBudgets) {
        this.raw = sink;
        this.key = key;
        this.sink = new TypingStops(sink);
        this.budgets = budgets;
        this.buttonBudgets = buttonBudgets;
        this.sendTyping = sendTyping;
        this.typingAllowance = typingAllowance;
        this.spare = spare;
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
        boolean sent = spare.getAsBoolean() && budgets.stream().allMatch(Budget::free) && typingAllowance.tryTake();
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
        // A finished answer carries 👍 / 👎 on its last message (DiscordFeedback); failures and cancels do not.
        if (outcome instanceof ReplyOutcome.Completed && !messageIds.isEmpty() && key != null
                && raw instanceof DiscordFeedback.Buttons buttons) {
            DiscordFeedback.attach(buttons, buttonBudgets, key, messageIds.getLast());
        }
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
