package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.TokenUsage;
import dev.switchboard.routing.ReplyOutcome;
import dev.switchboard.routing.Target;
import dev.switchboard.testing.FakeChatPlatform;
import dev.switchboard.testing.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The live engine on a platform that counts its methods apart, as Slack does: new messages per channel (one a second),
 * edits per workspace (50 a minute), each write spending only the budget of the method it calls. On a manual clock.
 */
class PerMethodSpendingTest {

    private static final Duration LATENCY = Duration.ofMillis(40);
    private static final Target TARGET = new Target("p", "m", 0, 1);

    private final ManualTicker ticker = new ManualTicker();
    private final FakeChatPlatform slack = new FakeChatPlatform(ticker, 1, Duration.ofSeconds(1), 200, LATENCY, 1, 0,
            0).limit("workspace chat.update", 50, Duration.ofMinutes(1));
    private final LiveReplies engine = new LiveReplies(ticker);
    private final Budget update = new Budget("chat.update", 50, Duration.ofMinutes(1), ticker);
    private final Map<String, Budget> posts = new ConcurrentHashMap<>();

    private Budget posts(String channel) {
        return posts.computeIfAbsent(channel, c -> new Budget(c + " chat.postMessage", 1, Duration.ofSeconds(1),
                ticker));
    }

    /** A reply in {@code channel}: posts spend the channel's budget, edits and deletes the workspace's. */
    private Live reply(String thread, String channel) {
        ReplySink sink = slack.thread(thread, List.of("post " + channel), List.of("workspace chat.update"),
                List.of("workspace chat.update"), s -> s);
        List<Budget> post = List.of(posts(channel));
        List<Budget> edit = List.of(update);
        return engine.start(sink, (op, messageId, text) -> op == Spending.Op.POST ? post : edit, true);
    }

    private static ReplyOutcome.Completed completed(String text) {
        return new ReplyOutcome.Completed(text, TARGET, List.of(), TokenUsage.NONE, Duration.ZERO, Duration.ZERO, 0,
                0);
    }

    @Test
    void tenNewRepliesInFiveChannels_whileTheWorkspacesEditsAreBusy_showTheirFirstMessageWithinTheirChannelsBound() {
        List<Live> busy = new ArrayList<>();
        for (int r = 0; r < 10; r++) {
            busy.add(reply("busy" + r, "C" + (r % 5)));
        }
        for (int tick = 0; tick < 100; tick++) { // ten seconds of words in ten replies: every edit slot is wanted
            busy.forEach(l -> l.onToken("word "));
            ticker.advance(Duration.ofMillis(100));
        }
        assertThat(update.waiting()).as("replies waiting for chat.update").isGreaterThanOrEqualTo(5);

        long asked = ticker.nanos();
        for (int r = 0; r < 10; r++) {
            reply("new" + r, "C" + (r % 5));
        }
        for (int tick = 0; tick < 30; tick++) {
            busy.forEach(l -> l.onToken("word "));
            ticker.advance(Duration.ofMillis(100));
        }

        List<Long> firstSign = new ArrayList<>();
        for (int r = 0; r < 10; r++) {
            assertThat(slack.shown("new" + r)).containsExactly(LiveReplies.THINKING);
            firstSign.add(slack.visibility("new" + r).getFirst()[0] - asked);
        }
        // Two new replies per channel, one post a second each: the first at once, the second a second later.
        assertThat(firstSign).allSatisfy(t -> assertThat(t).isLessThanOrEqualTo(
                Duration.ofSeconds(1).plus(LATENCY).plusMillis(100).toNanos()));
        assertThat(firstSign.stream().filter(t -> t <= LATENCY.plusMillis(100).toNanos())).hasSize(5);
        assertThat(slack.overBudget()).as("writes beyond a method's limit").isZero();
    }

    @Test
    void aReplyLongerThanAMessage_postsItsNextMessagesFromItsChannel_andEditsFromTheWorkspace_withinEachLimit() {
        List<Live> lives = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (int r = 0; r < 6; r++) {
            lives.add(reply("t" + r, "C" + (r % 2)));
            answers.add("");
        }
        for (int tick = 0; tick < 200; tick++) { // each answer about 1,200 characters: six or more messages each
            for (int r = 0; r < lives.size(); r++) {
                String word = "w" + tick + " ";
                answers.set(r, answers.get(r) + word);
                lives.get(r).onToken(word);
            }
            ticker.advance(Duration.ofMillis(100));
        }
        for (int r = 0; r < lives.size(); r++) {
            lives.get(r).onDone(completed(answers.get(r)));
        }
        for (int step = 0; step < 2_000 && !lives.stream().allMatch(l -> l.settled().isDone()); step++) {
            ticker.advance(Duration.ofMillis(100));
        }

        assertThat(lives).allSatisfy(l -> assertThat(l.settled()).isDone());
        for (int r = 0; r < lives.size(); r++) {
            assertThat(String.join(" ", slack.shown("t" + r)).replaceAll("\\s+", " ").strip())
                    .isEqualTo(answers.get(r).strip());
            assertThat(slack.shown("t" + r).size()).isGreaterThan(3);
        }
        assertThat(slack.overBudget()).as("writes beyond a method's limit").isZero();
        assertThat(update.waiting()).isZero();
    }
}
