package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.routing.Failure;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.Target;
import dev.switchboard.routing.TargetFailure;
import dev.switchboard.testing.FakeChatPlatform;
import dev.switchboard.testing.FakeProvider;
import dev.switchboard.testing.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/** The live reply engine against a platform that enforces its budgets, all on a manual clock. */
class LiveRepliesTest {

    private static final Duration WINDOW = Duration.ofSeconds(5);
    private static final int WRITES = 5;
    private static final int MAX_CHARS = 200;
    private static final Target TARGET = new Target("p", "m", 0, 1);
    /** A platform's formatting, as the adapters plug theirs in: prose changed (mentions defused), code kept. */
    private static final Formatter DEFUSED = Formatter.byPart(prose -> prose.replace("@", "@\u200b"), code -> code);

    private static ReplyOutcome.Completed completed(String text, List<TargetFailure> failures) {
        return new ReplyOutcome.Completed(text, TARGET, failures, TokenUsage.NONE, Duration.ZERO, Duration.ZERO, 0, 0);
    }

    /** One reply in one thread of a fake platform, with the channel's budget. */
    private record Fixture(ManualTicker ticker, FakeChatPlatform platform, Budget channel, Live live) {
    }

    private static Fixture fixture(double editFailures) {
        ManualTicker ticker = new ManualTicker();
        FakeChatPlatform platform = new FakeChatPlatform(ticker, WRITES, WINDOW, MAX_CHARS, Duration.ofMillis(40),
                1, 0, editFailures);
        Budget channel = new Budget("channel", WRITES, WINDOW, ticker);
        Live live = new LiveReplies(ticker).start(platform.thread("t", "C1", s -> s), List.of(channel),
                true);
        return new Fixture(ticker, platform, channel, live);
    }

    /** Four replies in one channel of a fake platform, sharing the channel's budget. */
    private record Shared(ManualTicker ticker, FakeChatPlatform platform, LiveReplies engine, Budget channel,
                          List<Live> lives) {
    }

    private static Shared fourRepliesInOneChannel() {
        ManualTicker ticker = new ManualTicker();
        FakeChatPlatform platform = new FakeChatPlatform(ticker, WRITES, WINDOW, 2_000, Duration.ofMillis(40),
                1, 0, 0);
        LiveReplies engine = new LiveReplies(ticker);
        Budget channel = new Budget("channel", WRITES, WINDOW, ticker);
        List<Live> lives = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            lives.add(engine.start(platform.thread("t" + r, "C1", s -> s), List.of(channel), true));
        }
        return new Shared(ticker, platform, engine, channel, lives);
    }

    /** What a reader sees, ignoring white space, the cursor and the fences the splitter adds. */
    private static String normalized(String text) {
        return text.replaceAll("```[a-z]*", "").replace(LiveReplies.CURSOR.strip(), "").replaceAll("\\s+", "");
    }

    @RepeatedTest(200)
    void randomStreams_withRandom429sAndFailedEdits_endExact_andNeverBreakTheBudget(RepetitionInfo info) {
        long seed = info.getCurrentRepetition();
        SplittableRandom random = new SplittableRandom(seed);
        ManualTicker ticker = new ManualTicker();
        FakeChatPlatform platform = new FakeChatPlatform(ticker, WRITES, WINDOW, MAX_CHARS, Duration.ofMillis(40),
                seed, 0.05, 0.05);
        LiveReplies engine = new LiveReplies(ticker);
        Budget channel = new Budget("channel", WRITES, WINDOW, ticker);
        int replies = 1 + random.nextInt(4);
        List<String> finals = new ArrayList<>();
        List<Live> lives = new ArrayList<>();
        for (int r = 0; r < replies; r++) {
            String text = randomAnswer(random);
            finals.add(text);
            Live live = engine.start(platform.thread("t" + r, "C1", DEFUSED::format),
                    List.of(channel), true);
            lives.add(live);
            long at = random.nextInt(2_000);
            for (String token : FakeProvider.tokens(text)) {
                at += 5 + random.nextInt(120);
                ticker.schedule(Duration.ofMillis(at), () -> live.onToken(token));
            }
            ticker.schedule(Duration.ofMillis(at + 10), () -> live.onDone(completed(text, List.of())));
        }

        for (int step = 0; step < 40_000 && !lives.stream().allMatch(l -> l.settled().isDone()); step++) {
            ticker.advance(Duration.ofMillis(50));
        }

        assertThat(lives).allSatisfy(l -> assertThat(l.settled()).isDone());
        assertThat(platform.overBudget()).as("writes beyond the platform's budget").isZero();
        assertThat(platform.tooLong()).as("messages over the length limit").isZero();
        for (int r = 0; r < replies; r++) {
            List<String> shown = platform.shown("t" + r);
            assertThat(shown).allSatisfy(m -> assertThat(m.length()).isLessThanOrEqualTo(MAX_CHARS));
            assertThat(normalized(String.join("\n", shown))).as("thread %d of seed %d", r, seed)
                    .isEqualTo(normalized(DEFUSED.format(finals.get(r))));
        }
    }

    @Test
    void theFirstTokensShowWithinOnePacingInterval_andTheCursorGoesAtTheEnd() {
        Fixture f = fixture(0);
        ManualTicker ticker = f.ticker();
        FakeChatPlatform platform = f.platform();
        Budget channel = f.channel();
        Live live = f.live();
        ticker.advance(Duration.ofMillis(100));
        assertThat(platform.shown("t")).containsExactly(LiveReplies.THINKING);

        ticker.advance(Duration.ofMillis(500));
        live.onToken("Hello");
        ticker.advance(channel.interval());

        assertThat(platform.shown("t")).containsExactly("Hello" + LiveReplies.CURSOR);
        live.onToken(" world");
        live.onDone(completed("Hello world", List.of()));
        ticker.advance(Duration.ofSeconds(3));
        assertThat(platform.shown("t")).containsExactly("Hello world");
        assertThat(live.settled()).isDone();
        assertThat(live.storedText()).isEqualTo("Hello world");
    }

    @Test
    void aCancelledReply_storesOnlyWhatWasShown() {
        Fixture f = fixture(0);
        ManualTicker ticker = f.ticker();
        FakeChatPlatform platform = f.platform();
        Live live = f.live();
        live.onToken("Half an");
        live.onToken(" answer");
        live.onDone(new ReplyOutcome.Cancelled("superseded"));
        ticker.advance(Duration.ofSeconds(5));

        assertThat(live.storedText()).isEqualTo("Half an answer");
        assertThat(platform.shown("t")).containsExactly("Half an answer\n_(stopped)_");
    }

    @Test
    void aFallback_replacesThePartialText_andSaysWhoAnswered() {
        Fixture f = fixture(0);
        ManualTicker ticker = f.ticker();
        FakeChatPlatform platform = f.platform();
        Live live = f.live();
        live.onToken("The first provider started");
        ticker.advance(Duration.ofSeconds(2));
        live.onReset(TARGET, new Failure.Overloaded("x"), new Target("backup", "b", 1, 1));
        live.onToken("The backup answered.");
        live.onDone(new ReplyOutcome.Completed("The backup answered.", new Target("backup", "b", 1, 1),
                List.of(new TargetFailure(TARGET, new Failure.Overloaded("x"))), TokenUsage.NONE, Duration.ZERO,
                Duration.ZERO, 0, 0));
        ticker.advance(Duration.ofSeconds(5));

        assertThat(platform.shown("t")).containsExactly("The backup answered.\n_answered by backup_");
    }

    @Test
    void manyRepliesInOneChannel_shareItFairly() {
        Shared c = fourRepliesInOneChannel();
        ManualTicker ticker = c.ticker();
        FakeChatPlatform platform = c.platform();
        Budget channel = c.channel();
        List<Live> lives = c.lives();
        ticker.advance(Duration.ofSeconds(5));
        for (int second = 0; second < 20; second++) {
            for (Live live : lives) {
                live.onToken("word ");
            }
            ticker.advance(Duration.ofSeconds(1));
        }

        // Four replies share one write a second: each has been updated within the last four seconds.
        for (int r = 0; r < 4; r++) {
            String seen = platform.shown("t" + r).getFirst();
            assertThat(seen.split("word", -1).length - 1).as("reply %d", r).isGreaterThanOrEqualTo(15);
        }
        assertThat(platform.overBudget()).isZero();
    }

    private static String randomAnswer(SplittableRandom random) {
        StringBuilder sb = new StringBuilder();
        int paragraphs = 1 + random.nextInt(5);
        for (int p = 0; p < paragraphs; p++) {
            if (random.nextInt(4) == 0) {
                sb.append("```\n");
                for (int i = 0, n = 1 + random.nextInt(12); i < n; i++) {
                    sb.append("line ").append(i).append(" of code @everyone\n");
                }
                sb.append("```\n\n");
            } else {
                for (int i = 0, n = 5 + random.nextInt(80); i < n; i++) {
                    sb.append(i == 0 ? "" : " ").append("lorem ipsum dolor sit amet @here".split(" ")[random.nextInt(6)]);
                }
                sb.append(".\n\n");
            }
        }
        return sb.toString().strip();
    }

    @Test
    void aMessageDeletedByTheUser_cancelsTheUpstreamReply() {
        Fixture f = fixture(0);
        ManualTicker ticker = f.ticker();
        FakeChatPlatform platform = f.platform();
        Live live = f.live();
        List<String> cancelled = new ArrayList<>();
        live.attach(new dev.switchboard.routing.ReplyHandle() {
            @Override
            public void cancel(String reason) {
                cancelled.add(reason);
            }

            @Override
            public java.util.concurrent.CompletableFuture<ReplyOutcome> outcome() {
                return new java.util.concurrent.CompletableFuture<>();
            }
        });
        live.onToken("Hello");
        ticker.advance(Duration.ofSeconds(2));

        platform.deleteByUser("t");
        live.onToken(" world");
        ticker.advance(Duration.ofSeconds(2));

        assertThat(cancelled).containsExactly("the message was deleted");
        assertThat(live.settled()).isDone();
        assertThat(platform.shown("t")).isEmpty();
    }

    @Test
    void editsThatKeepFailing_moveTheRestToANewMessage() {
        Fixture f = fixture(1.0);
        ManualTicker ticker = f.ticker();
        FakeChatPlatform platform = f.platform();
        Live live = f.live();
        ticker.advance(Duration.ofSeconds(1));
        live.onToken("The whole answer.");
        live.onDone(completed("The whole answer.", List.of()));
        ticker.advance(Duration.ofSeconds(30));

        assertThat(live.settled()).isDone();
        assertThat(platform.shown("t")).containsExactly(LiveReplies.THINKING, "The whole answer.");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aWriteWhoseOutcomeCannotBeAccountedFor_endsTheReplyInsteadOfLeavingItWaiting() {
        ManualTicker ticker = new ManualTicker();
        ReplySink broken = new PostsOnly() {
            @Override
            public CompletionStage<String> post(String text) {
                // Not a message id: accounting for the write fails, as a bug in the engine would.
                return (CompletionStage<String>) (CompletionStage<?>) CompletableFuture.completedFuture(42);
            }
        };
        Live live = new LiveReplies(ticker).start(broken,
                List.of(new Budget("channel", WRITES, WINDOW, ticker)), true);
        ticker.advance(Duration.ofSeconds(1));

        assertThat(live.settled()).as("ended, not waiting forever").failsWithin(Duration.ZERO)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(ClassCastException.class);
    }

    /** A sink whose posts the test defines; edits and deletes go through at once, text stays as it is. */
    private abstract static class PostsOnly implements ReplySink {
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
            return MAX_CHARS;
        }

        @Override
        public String format(String markdown) {
            return markdown;
        }
    }

    /** A sink whose posts wait for the test to answer them, as a platform that took a post and has not said so. */
    private static final class HeldPosts extends PostsOnly {
        final List<CompletableFuture<String>> posts = new ArrayList<>();

        @Override
        public synchronized CompletionStage<String> post(String text) {
            CompletableFuture<String> post = new CompletableFuture<>();
            posts.add(post);
            return post;
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"interrupted", "refused"})
    void aPostCutByThePlatformClientClosing_isNotTriedAgain_soNoSecondMessageCanShowBesideIt(String how) {
        ManualTicker ticker = new ManualTicker();
        HeldPosts sink = new HeldPosts();
        Live live = new LiveReplies(ticker).start(sink, List.of(new Budget("channel", WRITES, WINDOW, ticker)), true);
        ticker.advance(Duration.ofSeconds(1));
        assertThat(sink.posts).as("the placeholder is on its way").hasSize(1);
        live.onToken("Half an answer");
        live.onDone(new ReplyOutcome.Cancelled(LiveReplies.SHUTDOWN)); // the service stops

        sink.posts.getFirst().completeExceptionally(how.equals("interrupted") ? new InterruptedException()
                : new java.util.concurrent.RejectedExecutionException("closed"));
        ticker.advance(Duration.ofSeconds(30));
        live.onToken(" that came late");
        ticker.advance(Duration.ofSeconds(30));

        assertThat(sink.posts).as("the next start continues the post that may have shown").hasSize(1);
        assertThat(live.settled()).isNotDone();
    }

    @Test
    void aPostThatFailedWhileTheClientIsOpen_isTriedAgain() {
        ManualTicker ticker = new ManualTicker();
        HeldPosts sink = new HeldPosts();
        Live live = new LiveReplies(ticker).start(sink, List.of(new Budget("channel", WRITES, WINDOW, ticker)), true);
        ticker.advance(Duration.ofSeconds(1));
        live.onToken("An answer");
        sink.posts.getFirst().completeExceptionally(new ReplySink.WriteFailed(ReplySink.WriteFailed.Kind.REJECTED,
                null, "chat.postMessage: SocketTimeoutException"));
        ticker.advance(Duration.ofSeconds(5));

        assertThat(sink.posts).hasSize(2);
    }

    @Test
    void aReplyFinishingBetweenSlots_showsItsFinalTextAtOnce_fromTheWriteItsBudgetHoldsBack() {
        Fixture f = fixture(0);
        ManualTicker ticker = f.ticker();
        FakeChatPlatform platform = f.platform();
        Live live = f.live();
        ticker.advance(f.channel().interval()); // the placeholder took the paced write at the start
        live.onToken("Hello");
        ticker.advance(Duration.ofMillis(300)); // "Hello" took this slot; the next is a pacing interval away
        assertThat(platform.shown("t")).containsExactly("Hello" + LiveReplies.CURSOR);

        long done = ticker.nanos();
        live.onToken(" world");
        live.onDone(completed("Hello world", List.of()));
        ticker.advance(Duration.ofMillis(40)); // the platform's latency, nothing more

        assertThat(platform.shown("t")).containsExactly("Hello world");
        assertThat(platform.visibility("t").getLast()[0] - done).as("from the provider's end to the final text")
                .isEqualTo(Duration.ofMillis(40).toNanos());
        assertThat(live.settled()).isDone();
        assertThat(platform.overBudget()).isZero();
    }

    @Test
    void aReplyFinishingSoonAfterAnothersFinal_showsItsFinalAtOnce_whileThePlatformsWindowHasRoom() {
        ManualTicker ticker = new ManualTicker();
        FakeChatPlatform platform = new FakeChatPlatform(ticker, 50, Duration.ofMinutes(1), MAX_CHARS,
                Duration.ofMillis(40), 1, 0, 0); // Slack's chat.update: 50 a minute for the workspace
        LiveReplies engine = new LiveReplies(ticker);
        Budget workspace = new Budget("chat.update", 50, Duration.ofMinutes(1), ticker);
        Live first = engine.start(platform.thread("a", "C1", s -> s), List.of(workspace), true);
        first.onToken("One answer");
        ticker.advance(Duration.ofSeconds(3));
        first.onDone(completed("One answer", List.of()));
        ticker.advance(Duration.ofMillis(40)); // its final took the reserve, which refills in a minute
        assertThat(first.settled()).isDone();

        Live next = engine.start(platform.thread("b", "C1", s -> s), List.of(workspace), true);
        for (int i = 0; i < 10; i++) {
            next.onToken("word ");
            ticker.advance(Duration.ofMillis(700));
        }
        long done = ticker.nanos();
        next.onDone(completed("word ".repeat(10), List.of()));
        ticker.advance(Duration.ofMillis(40));

        assertThat(platform.visibility("b").getLast()[0] - done).as("the final text, the platform's latency after")
                .isEqualTo(Duration.ofMillis(40).toNanos());
        assertThat(platform.shown("b")).containsExactly("word ".repeat(10));
        assertThat(platform.overBudget()).isZero();
    }

    @Test
    void whenTheBudgetHasNoWriteLeft_theFinalTextGoesTheMomentItRefills() {
        Fixture f = fixture(0);
        ManualTicker ticker = f.ticker();
        FakeChatPlatform platform = f.platform();
        Live live = f.live();
        long start = ticker.nanos(); // the placeholder took the paced write now; the next is free an interval later
        assertThat(f.channel().tryTake(Need.FINAL_TEXT)).as("another reply's final text takes the reserve").isTrue();
        assertThat(f.channel().tryTake(Need.FINAL_TEXT)).as("a spare one: nobody waits for the budget").isTrue();
        assertThat(f.channel().tryTake(Need.FINAL_TEXT)).as("another spare one").isTrue();
        assertThat(f.channel().tryTake(Need.FINAL_TEXT)).as("the rest of the window is kept").isFalse();
        ticker.advance(Duration.ofMillis(300));
        live.onToken("Hello");
        live.onDone(completed("Hello", List.of()));
        ticker.advance(Duration.ofSeconds(2));

        List<long[]> seen = platform.visibility("t");
        long at = f.channel().interval().plus(Duration.ofMillis(40)).toNanos(); // free, then the platform's latency
        assertThat(seen.getLast()[0] - start).as("when the final text showed").isEqualTo(at);
        assertThat(platform.shown("t")).containsExactly("Hello");
    }

    @Test
    void aWriteTakenOutsideTheEngineBetweenItsLookAndItsTake_holdsTheEnginesWriteBackToTheNextSlot() {
        ManualTicker ticker = new ManualTicker();
        FakeChatPlatform platform = new FakeChatPlatform(ticker, WRITES, WINDOW, MAX_CHARS, Duration.ofMillis(40),
                1, 0, 0);
        Budget channel = new Budget("channel", WRITES, WINDOW, ticker);
        ReplySink feedback = platform.thread("finished", "C1", s -> s);
        java.util.concurrent.atomic.AtomicBoolean steal = new java.util.concurrent.atomic.AtomicBoolean();
        // The engine asks which budgets a write spends after it found them free and before it takes from them: a
        // writer on another thread (a finished reply's feedback edit) takes the channel's write at that moment.
        Spending spending = (op, id, text) -> {
            if (text != null && steal.getAndSet(false)) {
                assertThat(channel.tryTake()).isTrue();
                feedback.post("👍 👎");
            }
            return List.of(channel);
        };
        Live live = new LiveReplies(ticker).start(platform.thread("t", "C1", s -> s), spending, false);
        ticker.advance(channel.interval()); // the placeholder took the first paced write
        steal.set(true);
        long at = ticker.nanos();
        live.onToken("Hello");
        ticker.advance(Duration.ofMillis(100));
        assertThat(platform.shown("t")).as("the other writer had the slot").doesNotContain("Hello" + LiveReplies.CURSOR);

        ticker.advance(channel.interval());
        assertThat(platform.shown("t")).containsExactly("Hello" + LiveReplies.CURSOR);
        assertThat(platform.visibility("t").getLast()[0] - at).as("at the next paced write, then the latency")
                .isEqualTo(channel.interval().plus(Duration.ofMillis(40)).toNanos());
        assertThat(platform.overBudget()).isZero();
    }

    @Test
    void aNewReplyInABusyChannel_showsItsPlaceholderWithinOneInterval_beforeTheOthersProgress() {
        Shared busy = fourRepliesInOneChannel();
        Runnable tenthOfASecondOfWords = () -> {
            busy.lives().forEach(l -> l.onToken("word "));
            busy.ticker().advance(Duration.ofMillis(100));
        };
        busy.ticker().advance(Duration.ofSeconds(6));
        for (int tick = 0; tick < 100; tick++) { // ten seconds of words in all four: every slot is wanted
            tenthOfASecondOfWords.run();
        }

        long asked = busy.ticker().nanos();
        busy.engine().start(busy.platform().thread("new", "C1", s -> s), List.of(busy.channel()), true);
        for (int tick = 0; tick < 20; tick++) {
            tenthOfASecondOfWords.run();
        }

        assertThat(busy.platform().shown("new")).containsExactly(LiveReplies.THINKING);
        long shownAt = busy.platform().visibility("new").getFirst()[0];
        assertThat(shownAt - asked).as("from the start to the placeholder")
                .isLessThanOrEqualTo(busy.channel().interval().plus(Duration.ofMillis(40)).toNanos());
        assertThat(busy.platform().overBudget()).isZero();
    }

    @RepeatedTest(20)
    void manyRepliesOnOneBudget_finishingTogetherOrApart_neverOverrunIt_andFinishBeforeOthersProgress(
            RepetitionInfo info) {
        SplittableRandom random = new SplittableRandom(info.getCurrentRepetition());
        ManualTicker ticker = new ManualTicker();
        FakeChatPlatform platform = new FakeChatPlatform(ticker, WRITES, WINDOW, 2_000, Duration.ofMillis(40),
                1, 0, 0).limit("bot", 10, Duration.ofSeconds(1));
        LiveReplies engine = new LiveReplies(ticker);
        Budget channel = new Budget("channel", WRITES, WINDOW, ticker);
        Budget bot = new Budget("bot", 10, Duration.ofSeconds(1), ticker);
        int replies = 12;
        List<Live> lives = new ArrayList<>();
        long[] doneAt = new long[replies];
        boolean together = info.getCurrentRepetition() % 2 == 0;
        for (int r = 0; r < replies; r++) {
            Live live = engine.start(platform.thread("t" + r, List.of("C1", "bot"), s -> s),
                    List.of(channel, bot), true);
            lives.add(live);
            int reply = r;
            long end = together ? 20_000 : 10_000 + 1_700L * r + random.nextInt(500);
            StringBuilder text = new StringBuilder();
            for (long at = random.nextInt(500); at < end; at += 50 + random.nextInt(100)) {
                String token = "w" + at + " ";
                text.append(token);
                ticker.schedule(Duration.ofMillis(at), () -> live.onToken(token));
            }
            String answer = text.toString();
            ticker.schedule(Duration.ofMillis(end), () -> {
                doneAt[reply] = ticker.nanos();
                live.onDone(completed(answer, List.of()));
            });
        }

        for (int step = 0; step < 4_000 && !lives.stream().allMatch(l -> l.settled().isDone()); step++) {
            ticker.advance(Duration.ofMillis(50));
        }

        assertThat(lives).allSatisfy(l -> assertThat(l.settled()).isDone());
        assertThat(platform.overBudget()).as("writes beyond the platform's budgets").isZero();
        long slot = channel.interval().plus(Duration.ofMillis(40)).toNanos();
        for (int r = 0; r < replies; r++) {
            long shown = platform.visibility("t" + r).getLast()[0] - doneAt[r];
            // Apart, each final text finds the reserve or the next slot; together, they take the slots in turn.
            assertThat(shown).as("reply %d's final text after its end", r)
                    .isLessThanOrEqualTo(together ? slot * replies : slot);
        }
    }
}
