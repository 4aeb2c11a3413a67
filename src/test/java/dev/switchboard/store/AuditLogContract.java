package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.AuditLog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What every {@link AuditLog} guarantees; each {@link #open} is a fresh instance on the same data. */
abstract class AuditLogContract {

    protected abstract AuditLog open();

    /** Closes a log opened by {@link #open}, if the backend holds resources. */
    protected abstract void close(AuditLog log);

    /** Every entry stored, oldest first, each as its fields {@code at, platform, user, command, result}. */
    protected abstract List<Map<String, String>> entries() throws Exception;

    @Test
    void record_keepsEveryEntryInOrder_acrossAFreshLog() throws Exception {
        AuditLog first = open();
        first.record(Instant.parse("2026-03-15T10:00:00Z"), "slack", "U1", "provider main off",
                "main is out of rotation.");
        first.record(Instant.parse("2026-03-15T10:01:00Z"), "discord", "42", "forget", "refused: not an operator");
        close(first);
        AuditLog second = open();
        second.record(Instant.parse("2026-03-15T10:02:00Z"), "shell", "local", "status", "providers:");
        close(second);

        assertThat(entries()).containsExactly(
                Map.of("at", "2026-03-15T10:00:00Z", "platform", "slack", "user", "U1", "command",
                        "provider main off", "result", "main is out of rotation."),
                Map.of("at", "2026-03-15T10:01:00Z", "platform", "discord", "user", "42", "command", "forget",
                        "result", "refused: not an operator"),
                Map.of("at", "2026-03-15T10:02:00Z", "platform", "shell", "user", "local", "command", "status",
                        "result", "providers:"));
    }

    @Test
    void record_keepsTextThatLooksLikeItsOwnFormat() throws Exception {
        AuditLog log = open();
        String hostile = "forget \"},{\"user\":\"U0\"\n\u0000 ünï";
        log.record(Instant.parse("2026-03-15T10:00:00Z"), "slack", "U1", hostile, "failed: x");
        close(log);

        assertThat(entries()).singleElement().satisfies(e -> assertThat(e).containsEntry("command", hostile));
    }

    @Test
    void entries_readsBackEveryEntryInOrder_throughThePort() {
        AuditLog first = open();
        first.record(Instant.parse("2026-03-15T10:00:00Z"), "slack", "U1", "provider main off", "done");
        close(first);
        AuditLog second = open();
        second.record(Instant.parse("2026-03-15T10:01:00.123456Z"), "shell", "local", "forget \u0000 ü", "ok");

        assertThat(second.entries()).containsExactly(
                new AuditLog.Entry(Instant.parse("2026-03-15T10:00:00Z"), "slack", "U1", "provider main off", "done"),
                new AuditLog.Entry(Instant.parse("2026-03-15T10:01:00.123456Z"), "shell", "local", "forget \u0000 ü",
                        "ok"));
        close(second);
    }
}
