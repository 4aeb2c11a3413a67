package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.UsageLedger;
import dev.switchboard.conversation.UsageRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What every {@link UsageLedger} guarantees; each {@link #open} is a fresh instance on the same data. */
abstract class UsageLedgerContract {

    protected abstract UsageLedger open();

    /** Closes a ledger opened by {@link #open}, writing what it has queued. */
    protected abstract void close(UsageLedger ledger);

    protected static UsageRecord usage(String at, String user, long out) {
        return new UsageRecord(Instant.parse(at), "slack", "T1", "C1", user, "openai", "gpt", 10, out, 0.5);
    }

    @Test
    void records_surviveAReopen_andAreSummedByAnyKey() {
        UsageLedger ledger = open();
        ledger.record(usage("2026-10-31T23:00:00Z", "U1", 5));
        ledger.record(usage("2026-11-01T01:00:00Z", "U1", 7));
        ledger.record(usage("2026-11-02T01:00:00Z", "U2", 11));
        close(ledger);
        UsageLedger reopened = open();

        assertThat(reopened.since(Instant.parse("2026-11-01T00:00:00Z"))).hasSize(2);
        var byUser = reopened.totals(Instant.parse("2026-10-01T00:00:00Z"), UsageRecord::user);
        assertThat(byUser.get("U1").outputTokens()).isEqualTo(12);
        assertThat(byUser.get("U1").replies()).isEqualTo(2);
        assertThat(byUser.get("U2").costUsd()).isEqualTo(0.5);
        close(reopened);
    }

    @Test
    void toolSteps_areCountedPerReplyAndSummed() {
        UsageLedger ledger = open();
        ledger.record(new UsageRecord(Instant.parse("2026-11-01T02:00:00Z"), "slack", "T1", "C1", "U1",
                "openai", "gpt", 10, 2, 0, 3));
        ledger.record(new UsageRecord(Instant.parse("2026-11-01T03:00:00Z"), "slack", "T1", "C1", "U1",
                "openai", "gpt", 10, 2, 0, 2));
        ledger.record(usage("2026-11-01T04:00:00Z", "U1", 5));

        Instant since = Instant.parse("2026-10-15T00:00:00Z");
        assertThat(ledger.totals(since, UsageLedger.By.PROVIDER).get("openai/gpt").toolSteps()).isEqualTo(5);
        assertThat(ledger.since(since)).extracting(UsageRecord::toolSteps).containsExactly(3, 2, 0);
        close(ledger);
    }

    @Test
    void totals_byNamedGroupings_nameTheGroupsAsReportsShowThem() {
        UsageLedger ledger = open();
        ledger.record(usage("2026-11-01T01:00:00Z", "U1", 5));
        ledger.record(new UsageRecord(Instant.parse("2026-11-01T02:00:00Z"), "discord", "G1", "C7", "42",
                "anthropic", "haiku", 100, 20, 0.25));
        ledger.record(usage("2026-10-01T01:00:00Z", "U9", 1_000)); // before the window

        Instant since = Instant.parse("2026-10-15T00:00:00Z");
        assertThat(ledger.totals(since, UsageLedger.By.PROVIDER)).containsOnlyKeys("openai/gpt", "anthropic/haiku");
        assertThat(ledger.totals(since, UsageLedger.By.CHANNEL)).containsOnlyKeys("slack C1", "discord C7");
        var byUser = ledger.totals(since, UsageLedger.By.USER);
        assertThat(byUser).containsOnlyKeys("slack U1", "discord 42");
        assertThat(byUser.get("discord 42")).isEqualTo(new UsageLedger.Total(100, 20, 0.25, 1));
        close(ledger);
    }

    @Test
    void forgetUser_blanksTheirIdOnThatPlatform_andKeepsTheRecords() {
        UsageLedger ledger = open();
        ledger.record(usage("2026-11-01T01:00:00Z", "UGONE", 5));
        ledger.record(usage("2026-11-01T02:00:00Z", "UKEEP", 7));
        ledger.record(new UsageRecord(Instant.parse("2026-11-01T03:00:00Z"), "discord", "G1", "C1", "UGONE",
                "openai", "gpt", 1, 1, 0));

        assertThat(ledger.forgetUser("slack", "UGONE")).isEqualTo(1);
        close(ledger);

        UsageLedger reopened = open();
        assertThat(reopened.since(Instant.parse("2026-11-01T00:00:00Z"))).extracting(UsageRecord::user)
                .containsExactly("", "UKEEP", "UGONE");
        assertThat(reopened.totals(Instant.parse("2026-11-01T00:00:00Z"), UsageLedger.By.PROVIDER)
                .get("openai/gpt").replies()).isEqualTo(3);
        close(reopened);
    }
}
