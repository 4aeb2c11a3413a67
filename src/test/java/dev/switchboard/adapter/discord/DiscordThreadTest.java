package dev.switchboard.adapter.discord;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.live.Budget;
import dev.switchboard.live.ReplySink;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.testing.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DiscordThreadTest {

    private final ManualTicker ticker = new ManualTicker();

    /** Only what typing needs: a post ends it. */
    private static ReplySink sink(int n) {
        return new ReplySink() {
            @Override
            public CompletionStage<String> post(String text) {
                return CompletableFuture.completedFuture("m" + n);
            }

            @Override
            public CompletionStage<Void> edit(String messageId, String text) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletionStage<Void> delete(String messageId) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public int maxChars() {
                return 2000;
            }

            @Override
            public String format(String markdown) {
                return markdown;
            }
        };
    }

    @Test
    void typingIsRenewedUntilTheFirstWordsArePostedThenStops() {
        AtomicInteger typed = new AtomicInteger();
        DiscordThread thread = new DiscordThread(sink(0), List.of(), typed::incrementAndGet,
                new Budget("typing", 10, Duration.ofSeconds(1), 10, ticker), () -> true, ticker);

        thread.working();
        thread.working(); // a second call does not start a second indicator
        assertThat(typed).hasValue(1);
        ticker.advance(Duration.ofSeconds(20));
        assertThat(typed).as("renewed every 8 s").hasValue(3);

        thread.sink().post("first words");
        ticker.advance(Duration.ofMinutes(1));
        assertThat(typed).hasValue(3);
    }

    @Test
    void manyWaitingRepliesShareTheTypingAllowanceInsteadOfSpendingTheGlobalRateLimit() {
        AtomicInteger typed = new AtomicInteger();
        Budget allowance = new Budget("typing", 10, Duration.ofSeconds(1), 10, ticker);
        List<DiscordThread> threads = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            DiscordThread t = new DiscordThread(sink(i), List.of(), typed::incrementAndGet, allowance, () -> true,
                    ticker);
            threads.add(t);
            t.working();
        }
        assertThat(typed).as("at once: only what the allowance holds").hasValue(10);

        ticker.advance(Duration.ofSeconds(60));
        assertThat(typed.get()).as("over a minute: at most 10 a second")
                .isBetween(600, 610);

        threads.forEach(t -> t.finished(new ReplyOutcome.Cancelled("done"), List.of()));
        int after = typed.get();
        ticker.advance(Duration.ofSeconds(60));
        assertThat(typed).as("finished replies stop typing").hasValue(after);
    }

    @Test
    void typingWaitsWhileTheGlobalAllowanceHasNoRoomToSpareOrTheReplysBudgetIsBusy() {
        AtomicInteger typed = new AtomicInteger();
        AtomicBoolean spare = new AtomicBoolean(false);
        Budget channel = new Budget("channel", 5, Duration.ofSeconds(5), ticker);
        DiscordThread thread = new DiscordThread(sink(0), List.of(channel), typed::incrementAndGet,
                new Budget("typing", 10, Duration.ofSeconds(1), 10, ticker), spare::get, ticker);

        thread.working();
        ticker.advance(Duration.ofSeconds(3));
        assertThat(typed).as("no room to spare: skipped, tried again each second").hasValue(0);

        spare.set(true);
        assertThat(channel.tryTake()).isTrue(); // another reply in the channel writes: its budget is busy a while
        ticker.advance(channel.interval().minusMillis(100));
        assertThat(typed).as("the channel's next write belongs to an answer").hasValue(0);
        ticker.advance(Duration.ofSeconds(2));
        assertThat(typed).hasValue(1);
    }

    @Test
    void aDeferredInteractionShowsNoTypingOfItsOwn() {
        Budget allowance = new Budget("typing", 10, Duration.ofSeconds(1), 10, ticker);
        DiscordThread thread = new DiscordThread(sink(0), List.of(), null, allowance, () -> true, ticker);
        thread.working();
        ticker.advance(Duration.ofSeconds(20));
        assertThat(allowance.tryTake()).as("nothing taken from the allowance").isTrue();
    }
    @Test
    void theFeedbackButtonsSpendTheChannelsBudget_notTheBotWideShareEveryReplyWaitsFor() {
        Budget channel = new Budget("channel", 5, Duration.ofSeconds(5), ticker);
        Budget bot = new Budget("bot", 1, Duration.ofSeconds(10), ticker);
        assertThat(bot.tryTake()).as("the bot-wide share is spent by other replies' progress").isTrue();
        List<String> buttonsOn = new java.util.concurrent.CopyOnWriteArrayList<>();
        class WithButtons extends dev.switchboard.live.ForwardingSink implements DiscordFeedback.Buttons {
            WithButtons() {
                super(sink(0));
            }

            @Override
            public CompletionStage<Void> addButtons(String messageId,
                                                    net.dv8tion.jda.api.components.actionrow.ActionRow row) {
                buttonsOn.add(messageId);
                return CompletableFuture.completedFuture(null);
            }
        }
        DiscordThread thread = new DiscordThread(new WithButtons(), List.of(channel, bot), null,
                new Budget("typing", 10, Duration.ofSeconds(1), 10, ticker), () -> true, ticker,
                new dev.switchboard.conversation.ConversationKey("discord", "G1", "C1", "T1"), List.of(channel));

        thread.finished(new ReplyOutcome.Completed("done", new dev.switchboard.routing.Target("p", "m", 0, 1),
                List.of(), dev.switchboard.conversation.TokenUsage.NONE, Duration.ZERO, Duration.ZERO, 0, 0),
                List.of("m1"));

        org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(buttonsOn).containsExactly("m1"));
        assertThat(bot.free()).as("nothing taken from the bot-wide share").isFalse();
    }
}
