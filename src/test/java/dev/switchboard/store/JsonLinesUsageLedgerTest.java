package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.UsageRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesUsageLedgerTest {

    @TempDir
    Path dir;

    private static UsageRecord usage(String at, String user, long out) {
        return new UsageRecord(Instant.parse(at), "slack", "T1", "C1", user, "openai", "gpt", 10, out, 0.5);
    }

    @Test
    void records_surviveAReopen_andAreSummedByAnyKey() {
        try (JsonLinesUsageLedger ledger = new JsonLinesUsageLedger(dir, true)) {
            ledger.record(usage("2026-10-31T23:00:00Z", "U1", 5));
            ledger.record(usage("2026-11-01T01:00:00Z", "U1", 7));
            ledger.record(usage("2026-11-02T01:00:00Z", "U2", 11));
        }
        JsonLinesUsageLedger reopened = new JsonLinesUsageLedger(dir, true);

        assertThat(reopened.since(Instant.parse("2026-11-01T00:00:00Z"))).hasSize(2);
        var byUser = reopened.totals(Instant.parse("2026-10-01T00:00:00Z"), UsageRecord::user);
        assertThat(byUser.get("U1").outputTokens()).isEqualTo(12);
        assertThat(byUser.get("U1").replies()).isEqualTo(2);
        assertThat(byUser.get("U2").costUsd()).isEqualTo(0.5);
        assertThat(dir.resolve(".usage/2026-10.jsonl")).exists();
        assertThat(dir.resolve(".usage/2026-11.jsonl")).exists();
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
