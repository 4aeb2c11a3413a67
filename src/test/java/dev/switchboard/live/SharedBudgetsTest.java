package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testing.ManualTicker;
import dev.switchboard.testing.Windows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedBudgetsTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private final ManualTicker ticker = new ManualTicker();

    @Test
    void eachNodeSpendsItsShareWithTheSamePacingAndReserve() {
        Budget alone = new Budget("ws chat.update", 50, MINUTE, ticker);
        assertThat(alone.interval()).isEqualTo(Duration.ofNanos((MINUTE.toNanos() + 48) / 49));

        SharedBudgets shares = new SharedBudgets();
        shares.nodes(2);
        Budget half = shares.split(new Budget("ws chat.update", 50, MINUTE, ticker));
        assertThat(half.interval()).isEqualTo(Duration.ofMillis(2500)); // 25 a minute: 24 paced, one in reserve

        shares.nodes(3);
        assertThat(half.interval()).isEqualTo(Duration.ofSeconds(4)); // 16: 15 paced, one in reserve

        shares.nodes(60);
        assertThat(half.interval()).isEqualTo(MINUTE); // one write a minute: no reserve left

        shares.nodes(100);
        assertThat(half.interval()).isEqualTo(MINUTE); // never less than one

        shares.nodes(1);
        assertThat(half.interval()).isEqualTo(alone.interval());
    }

    @Test
    void twoNodesSpendingEagerlyStayWithinTheLimitInEveryWindow() {
        List<Long> writes = new ArrayList<>();
        List<Budget> nodes = List.of(node(2), node(2));
        for (int step = 0; step < 6000; step++) { // ten minutes in steps of 100 ms, every write urgent
            for (Budget b : nodes) {
                if (b.tryTake(Need.FIRST_SIGN)) {
                    writes.add(ticker.nanos());
                }
            }
            ticker.advance(Duration.ofMillis(100));
        }
        assertThat(Windows.mostInAny(writes, MINUTE)).isLessThanOrEqualTo(50);
        assertThat(writes.size()).isGreaterThan(9 * 48); // and close to it: nothing wasted

        List<Long> unshared = new ArrayList<>();
        List<Budget> whole = List.of(node(1), node(1));
        for (int step = 0; step < 1200; step++) {
            for (Budget b : whole) {
                if (b.tryTake(Need.FIRST_SIGN)) {
                    unshared.add(ticker.nanos());
                }
            }
            ticker.advance(Duration.ofMillis(100));
        }
        assertThat(Windows.mostInAny(unshared, MINUTE)).isGreaterThan(50); // what sharing prevents
    }

    @Test
    void aBudgetWithABurstDividesTheBurstToo_soThreeNodesSpendingEagerlyStayWithinWhatOneMay() {
        // An allowance of 80 a minute with bursts of 10 (as Slack's for prompts and titles), against 100 a minute.
        List<Long> writes = new ArrayList<>();
        List<Budget> nodes = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            SharedBudgets shares = new SharedBudgets();
            shares.nodes(3);
            nodes.add(shares.split(new Budget("ws assistant.threads.setStatus", 80, MINUTE, 10, ticker)));
        }
        for (int step = 0; step < 3000; step++) { // five minutes in steps of 100 ms
            for (Budget b : nodes) {
                while (b.tryTake()) {
                    writes.add(ticker.nanos());
                }
            }
            ticker.advance(Duration.ofMillis(100));
        }
        assertThat(Windows.mostInAny(writes, MINUTE)).as("what one node alone may spend in a minute: 80 + a burst of 10")
                .isLessThanOrEqualTo(90);
    }

    @Test
    void aNodeJoiningSlowsTheOthersAndOneLeavingSpeedsThemUp() {
        SharedBudgets shares = new SharedBudgets();
        Budget budget = shares.split(new Budget("bot", 40, Duration.ofSeconds(1), ticker));
        assertThat(budget.tryTake()).isTrue();
        shares.nodes(4); // 10 a second: 9 paced
        assertThat(budget.tryTake()).isFalse();
        assertThat(budget.nanosUntilFree()).isLessThanOrEqualTo(budget.interval().toNanos());
        ticker.advance(budget.interval());
        assertThat(budget.tryTake()).isTrue();
        shares.nodes(1);
        assertThat(budget.interval()).isEqualTo(Duration.ofNanos((1_000_000_000L + 38) / 39));
    }

    @Test
    void aFasterShareDoesNotEndAPauseEarly() {
        SharedBudgets shares = new SharedBudgets();
        shares.nodes(2);
        Budget budget = shares.split(new Budget("ws chat.update", 50, MINUTE, ticker));
        budget.pause(Duration.ofSeconds(30));
        shares.nodes(1);
        assertThat(budget.nanosUntilFree(ticker.nanos(), Need.FIRST_SIGN)).isGreaterThanOrEqualTo(Duration.ofSeconds(30).toNanos());
        ticker.advance(Duration.ofSeconds(30).minusMillis(1));
        assertThat(budget.tryTake(Need.FIRST_SIGN)).isFalse();
        ticker.advance(budget.interval().multipliedBy(2)); // a pause ends at the first write after it, at the new pace
        assertThat(budget.tryTake(Need.FIRST_SIGN)).isTrue();
    }

    @Test
    void aPauseIsAnnouncedOnceAndAppliedWhereItArrives() {
        List<String> announced = new ArrayList<>();
        SharedBudgets a = new SharedBudgets();
        SharedBudgets b = new SharedBudgets();
        SharedBudgets.Announcer toB = (scope, remaining) -> {
            announced.add(scope + " " + remaining.toSeconds());
            b.pausedElsewhere(scope, remaining);
        };
        a.announceWith(toB);
        b.announceWith((scope, remaining) -> announced.add("b announced " + scope));
        Budget onA = a.split(new Budget("ws chat.update", 50, MINUTE, ticker));
        Budget onB = b.split(new Budget("ws chat.update", 50, MINUTE, ticker));
        Budget channelOnB = b.pausedTogether(new Budget("channel C1", 1, Duration.ofSeconds(1), ticker));

        onA.pause(Duration.ofSeconds(20));
        assertThat(announced).containsExactly("ws chat.update 20"); // B applied it without announcing it again
        assertThat(onB.tryTake(Need.FIRST_SIGN)).isFalse();
        ticker.advance(Duration.ofSeconds(19));
        assertThat(onB.tryTake(Need.FIRST_SIGN)).isFalse();
        ticker.advance(Duration.ofSeconds(1).plus(onB.interval().multipliedBy(2)));
        assertThat(onB.tryTake(Need.FIRST_SIGN)).isTrue();

        b.pausedElsewhere("channel C1", Duration.ofSeconds(5));
        assertThat(channelOnB.interval()).isEqualTo(Duration.ofSeconds(1)); // per channel: not divided
        assertThat(channelOnB.tryTake()).isFalse();
        b.pausedElsewhere("no such scope", Duration.ofSeconds(5)); // forgotten or never here: nothing to do

        Budget bot = a.divided(new Budget("discord bot", 36, Duration.ofSeconds(1), ticker));
        bot.pause(Duration.ofSeconds(1)); // divided only: its 429s stay on this node
        assertThat(announced).containsExactly("ws chat.update 20");
        assertThat(bot.tryTake()).isFalse();
    }

    private Budget node(int nodes) {
        SharedBudgets shares = new SharedBudgets();
        shares.nodes(nodes);
        return shares.split(new Budget("ws chat.update", 50, MINUTE, ticker));
    }
}
