package dev.switchboard.adapter.discord;

import dev.switchboard.chat.ChatThread;
import dev.switchboard.live.Budget;
import dev.switchboard.live.ForwardingSink;
import dev.switchboard.live.ReplySink;
import dev.switchboard.routing.ReplyOutcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;

/**
 * One Discord conversation being answered: where the reply goes, its budgets, and a typing indicator that shows
 * until the first words are posted (Discord clears it after ten seconds or on the bot's next message, so it is
 * renewed every eight).
 */
final class DiscordThread implements ChatThread {

    private static final Duration TYPING_EVERY = Duration.ofSeconds(8);

    private final ReplySink sink;
    private final List<Budget> budgets;
    private final MessageChannel typingIn;
    private final ScheduledExecutorService timers;
    private ScheduledFuture<?> typing;

    /** @param typingIn where to show "typing…"; null where the platform shows its own (a deferred interaction) */
    DiscordThread(ReplySink sink, List<Budget> budgets, MessageChannel typingIn, ScheduledExecutorService timers) {
        this.sink = new TypingStops(sink);
        this.budgets = budgets;
        this.typingIn = typingIn;
        this.timers = timers;
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
    public synchronized void working() {
        if (typingIn != null && typing == null) {
            Runnable type = () -> typingIn.sendTyping().queue(ok -> { }, error -> { });
            type.run();
            typing = timers.scheduleAtFixedRate(type, TYPING_EVERY.toMillis(), TYPING_EVERY.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void stopTyping() {
        if (typing != null) {
            typing.cancel(false);
        }
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
