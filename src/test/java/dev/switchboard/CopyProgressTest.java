package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testing.MutableClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyProgressTest {

    private final MutableClock clock = MutableClock.at("2026-03-15T10:00:00Z");
    private final StringWriter written = new StringWriter();

    private CopyProgress progress(boolean terminal) {
        return new CopyProgress(new PrintWriter(written), terminal, clock);
    }

    /** Lines as a terminal ends them: a carriage return alone does not end one. */
    private List<String> lines() {
        return List.of(written.toString().split(System.lineSeparator()));
    }

    @Test
    void notATerminal_aPlainLineEveryTenthAndAtTheEnd() {
        CopyProgress progress = progress(false);

        progress.start("conversations", 1_000);
        for (int i = 0; i < 1_000; i++) {
            progress.advance();
        }
        progress.finish();

        assertThat(written.toString()).doesNotContain("\r");
        assertThat(lines()).containsExactly("conversations: 0/1000 (0%)", "conversations: 100/1000 (10%)",
                "conversations: 200/1000 (20%)", "conversations: 300/1000 (30%)", "conversations: 400/1000 (40%)",
                "conversations: 500/1000 (50%)", "conversations: 600/1000 (60%)", "conversations: 700/1000 (70%)",
                "conversations: 800/1000 (80%)", "conversations: 900/1000 (90%)", "conversations: 1000/1000 (100%)");
    }

    @Test
    void notATerminal_aSlowCopyShowsALineEveryFewSeconds() {
        CopyProgress progress = progress(false);

        progress.start("turns", 1_000_000);
        for (int i = 0; i < 12; i++) {
            clock.advance(CopyProgress.PLAIN_EVERY.dividedBy(5));
            progress.advance();
        }

        assertThat(lines()).containsExactly("turns: 0/1000000 (0%)", "turns: 5/1000000 (0%)",
                "turns: 10/1000000 (0%)");
    }

    @Test
    void notATerminal_nothingToCopy_saysSoOnce() {
        CopyProgress progress = progress(false);

        progress.start("usage records", 0);
        progress.finish();

        assertThat(lines()).containsExactly("usage records: 0/0 (100%)");
    }

    @Test
    void terminal_oneLineRedrawnInPlace_endedByTheFinalCount() {
        CopyProgress progress = progress(true);

        progress.start("audit entries", 50);
        for (int i = 0; i < 50; i++) {
            progress.advance();
            clock.advance(Duration.ofMillis(50));
        }
        progress.finish();

        String out = written.toString();
        assertThat(lines()).as("carriage returns only, one newline at the end").hasSize(1);
        assertThat(out).endsWith(System.lineSeparator());
        String[] draws = out.strip().split("\r");
        assertThat(draws.length).as("redrawn at most every %s", CopyProgress.REDRAW).isBetween(20, 30);
        assertThat(draws[0]).startsWith("audit entries  [------------------------------]   0%  0/50");
        assertThat(draws[draws.length - 1].strip())
                .isEqualTo("audit entries  [##############################] 100%  50/50");
        assertThat(draws[12]).contains("[######", "%  ");
    }

    @Test
    void terminal_aNoteGoesAboveTheBar() {
        CopyProgress progress = progress(true);

        progress.start("conversations", 4);
        progress.advance();
        progress.note("skipped slack/T/C/1: the target holds a different history for it");
        progress.advance();
        progress.finish();

        List<String> lines = lines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).endsWith("skipped slack/T/C/1: the target holds a different history for it");
        assertThat(lines.get(1)).endsWith("conversations  [##############################] 100%  4/4");
    }
}
