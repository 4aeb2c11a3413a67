package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testing.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * Final texts beyond a budget's reserve: they go while the budget is quiet, wait for the paced slot while many
 * replies wait for it, and never put more writes in a window than the platform allows.
 */
class BudgetSpareWritesTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final ManualTicker ticker = new ManualTicker();
    /** Slack's chat.update for one workspace: 50 a minute. */
    private final Budget updates = new Budget("chat.update", 50, MINUTE, ticker);

    /** Spends the paced write and the reserve, as a reply's placeholder edit and another's final would. */
    private void spendPacedAndReserve() {
        assertThat(updates.tryTake(Need.FINAL_TEXT)).as("the paced write").isTrue();
        assertThat(updates.tryTake(Need.FINAL_TEXT)).as("the reserve").isTrue();
    }

    @Test
    void aQuietBudget_letsAFinalGoAtOnce_beyondItsReserve() {
        spendPacedAndReserve();
        updates.waiting = 1; // the reply whose final this is
        assertThat(updates.nanosUntilFree(ticker.nanos(), Need.FINAL_TEXT)).isZero();
        assertThat(updates.tryTake(Need.FINAL_TEXT)).isTrue();
        assertThat(updates.tryTake()).as("an ordinary write still waits for its pace").isFalse();
    }

    @Test
    void aFirstSign_takesNoSpareWrite() {
        spendPacedAndReserve();
        updates.waiting = 1;
        assertThat(updates.tryTake(Need.FIRST_SIGN)).isFalse();
        assertThat(updates.nanosUntilFree(ticker.nanos(), Need.FIRST_SIGN)).as("the next paced write")
                .isEqualTo(updates.nanosUntilFree(ticker.nanos())).isPositive();
    }

    @Test
    void whileManyRepliesWaitForTheBudget_aFinalWaitsForThePacedSlot_andTheEngineIsToldWhen() {
        spendPacedAndReserve();
        updates.waiting = 40; // each of them owed a write soon: a spare one would take it from them
        long wait = updates.nanosUntilFree(ticker.nanos(), Need.FINAL_TEXT);
        assertThat(wait).as("the next paced write, not a spin").isEqualTo(updates.nanosUntilFree(ticker.nanos()))
                .isPositive();
        assertThat(updates.tryTake(Need.FINAL_TEXT)).isFalse();

        updates.waiting = 3; // most of them were written
        assertThat(updates.nanosUntilFree(ticker.nanos(), Need.FINAL_TEXT)).isZero();
        assertThat(updates.tryTake(Need.FINAL_TEXT)).isTrue();
    }

    @Test
    void spareWritesStopAtThreeQuartersOfTheWindow_theRestIsThePacesUntilTheOldestLeaveIt() {
        spendPacedAndReserve();
        updates.waiting = 1;
        int spare = 0;
        while (updates.tryTake(Need.FINAL_TEXT)) {
            spare++;
        }
        assertThat(spare + 2).as("writes in the window: three quarters of the platform's fifty").isEqualTo(37);
        ticker.advance(MINUTE.minusMillis(1));
        assertThat(updates.tryTake(Need.FINAL_TEXT)).as("a paced write came back, a spare one did not").isTrue();
        assertThat(updates.tryTake(Need.FINAL_TEXT)).isFalse();
        ticker.advance(Duration.ofMillis(1));
        assertThat(updates.tryTake(Need.FINAL_TEXT)).as("a minute on: the reserve is back").isTrue();
    }

    @Test
    void aPauseHoldsSpareWritesBackToo() {
        spendPacedAndReserve();
        updates.waiting = 1;
        updates.pause(Duration.ofSeconds(5));
        assertThat(updates.tryTake(Need.FINAL_TEXT)).isFalse();
        assertThat(updates.nanosUntilFree(ticker.nanos(), Need.FINAL_TEXT)).isEqualTo(Duration.ofSeconds(5).toNanos());
        ticker.advance(Duration.ofSeconds(5));
        assertThat(updates.tryTake(Need.FINAL_TEXT)).isTrue();
    }

    @Test
    void aWriteGivenBack_leavesTheWindowAsItWas() {
        Budget other = new Budget("other", 1, MINUTE, ticker);
        assertThat(other.tryTake()).isTrue();
        spendPacedAndReserve();
        updates.waiting = 1;
        for (int i = 0; i < 10; i++) {
            assertThat(Budget.takeAll(List.of(updates, other), Need.FINAL_TEXT)).isFalse();
        }
        int spare = 0;
        while (updates.tryTake(Need.FINAL_TEXT)) {
            spare++;
        }
        assertThat(spare + 2).as("the failed takes took nothing").isEqualTo(37);
    }

    @RepeatedTest(50)
    void urgentAndPacedWritesAtRandom_neverPutMoreThanThePlatformsWritesInAnyWindow(RepetitionInfo info) {
        SplittableRandom random = new SplittableRandom(info.getCurrentRepetition());
        Duration window = Duration.ofSeconds(5);
        int writes = 5;
        Budget budget = new Budget("channel", writes, window, ticker);
        List<Long> went = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            ticker.advance(Duration.ofMillis(random.nextInt(0, 900)));
            budget.waiting = random.nextInt(0, 3);
            boolean taken = budget.tryTake(Need.values()[random.nextInt(Need.values().length)]);
            if (taken) {
                went.add(ticker.nanos());
            }
            if (random.nextInt(40) == 0) {
                budget.pause(Duration.ofMillis(random.nextInt(100, 3_000)));
            }
        }
        for (int i = writes; i < went.size(); i++) {
            assertThat(went.get(i) - went.get(i - writes)).as("write %d and the %dth before it", i, writes)
                    .isGreaterThanOrEqualTo(window.toNanos());
        }
        assertThat(went.size()).as("the budget was used").isGreaterThan(100);
    }

    @Test
    void aSmallerShare_keepsTheLatestWritesInTheWindow() {
        RecentWrites recent = new RecentWrites(100, 4);
        for (long t = 1; t <= 6; t++) {
            recent.add(t);
        }
        assertThat(recent.freeAt(10, 1)).as("3..6 fill it until 3 leaves").isEqualTo(103);
        recent.limit(2);
        assertThat(recent.freeAt(10, 1)).as("5 and 6 kept").isEqualTo(105);
        recent.remove(6);
        assertThat(recent.freeAt(10, 1)).isEqualTo(10);
        assertThat(recent.freeAt(10, 2)).isEqualTo(105);
        assertThat(recent.freeAt(10, 3)).as("more room than the share").isEqualTo(Long.MAX_VALUE);
    }
}
