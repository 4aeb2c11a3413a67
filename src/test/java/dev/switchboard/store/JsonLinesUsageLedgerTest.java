package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.conversation.UsageRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The usage contract on {@code <data>/.usage/<yyyy>-<mm>.jsonl}, and what only its files do. */
class JsonLinesUsageLedgerTest extends UsageLedgerContract {

    @TempDir
    Path dir;

    @Override
    protected UsageLedger open() {
        return new JsonLinesUsageLedger(dir, true);
    }

    @Override
    protected void close(UsageLedger ledger) {
        ((JsonLinesUsageLedger) ledger).close();
    }

    @Test
    void records_areFiledByMonth() {
        try (JsonLinesUsageLedger ledger = new JsonLinesUsageLedger(dir, true)) {
            ledger.record(usage("2026-10-31T23:00:00Z", "U1", 5));
            ledger.record(usage("2026-11-01T01:00:00Z", "U1", 7));
            ledger.record(usage("2026-11-02T01:00:00Z", "U2", 11));
        }

        assertThat(dir.resolve(".usage/2026-10.jsonl")).exists();
        assertThat(dir.resolve(".usage/2026-11.jsonl")).exists();
    }

    @Test
    @Timeout(60)
    void forgetUser_whileRecordsAreStillQueued_waitsForThemWithoutDeadlock() {
        try (JsonLinesUsageLedger ledger = new JsonLinesUsageLedger(dir, true)) {
            for (int i = 0; i < 200; i++) {
                ledger.record(usage("2026-11-01T01:00:00Z", "U" + (i % 2), i));
            }

            assertThat(ledger.forgetUser("slack", "U1")).isEqualTo(100);
        }
    }

    @Test
    void aLineCutByACrash_costsOnlyThatLine() throws IOException {
        try (JsonLinesUsageLedger ledger = new JsonLinesUsageLedger(dir, true)) {
            ledger.record(usage("2026-11-01T01:00:00Z", "U1", 5));
        }
        Files.writeString(dir.resolve(".usage/2026-11.jsonl"), "{\"at\":\"2026-11-01T02:00", StandardOpenOption.APPEND);

        try (JsonLinesUsageLedger ledger = new JsonLinesUsageLedger(dir, true)) {
            ledger.record(usage("2026-11-01T03:00:00Z", "U2", 7));
            assertThat(ledger.since(Instant.parse("2026-11-01T00:00:00Z"))).extracting(UsageRecord::user)
                    .containsExactly("U1", "U2");
        }
    }
}
