package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.AuditLog;
import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.OperatorSettings;
import dev.switchboard.conversation.SeenMessages;
import dev.switchboard.conversation.UsageRecord;
import dev.switchboard.testing.MutableClock;
import dev.switchboard.testing.PostgresDatabase;
import dev.switchboard.testing.StoredState;
import dev.switchboard.testing.Turns;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code switchboard store copy}: files → PostgreSQL → files gives the same exports, and a second run copies nothing. */
class StoreCopyTest {

    static final Instant T0 = Instant.parse("2026-03-15T10:00:00.123456789Z");

    @RegisterExtension
    final PostgresDatabase db = new PostgresDatabase();

    @TempDir
    Path dir;

    private String yaml(Path data, String backend) {
        return "storage:\n  path: " + data + "\n  max_turns_per_file: 4\n  backend: " + backend
                + "\n  postgres:\n    url: " + db.url() + "\n    user: postgres\n    pool_size: 2\n";
    }

    private SwitchboardConfig.Storage storage(Path data, String backend) {
        return new ConfigLoader().parse(yaml(data, backend), "test.yaml", Map.of()).config().storage();
    }

    private record Run(int code, String out, String err) { }

    private Run copy(Path data, String backend, String to) throws IOException {
        Path config = dir.resolve("copy-" + backend + ".yaml");
        Files.writeString(config, yaml(data, backend));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Switchboard.execute(new String[] {"--config", config.toString(), "store", "copy", "--to", to},
                Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), new CountDownLatch(1));
        return new Run(code, out.toString(), err.toString());
    }

    /** A populated file store: threads on three platforms, archived turns, metadata, settings, audit and usage. */
    private void populate(Path data) {
        MutableClock clock = MutableClock.at("2026-03-15T12:00:00Z");
        try (Stores files = Stores.open(storage(data, "files"), clock, new SimpleMeterRegistry())) {
            for (int t = 0; t < 5; t++) {
                ConversationKey key = new ConversationKey(List.of("slack", "discord", "shell").get(t % 3), "W" + t,
                        "C" + t, "th-" + t);
                for (int i = 0; i < 3 + 3 * t; i++) {
                    Instant at = T0.plus(Duration.ofMinutes(t * 60L + i));
                    files.conversations().append(key, i % 2 == 0 ? Turns.user("U" + t, "q " + t + "." + i + " ü\u0000", at)
                            : Turns.assistant("a " + t + "." + i, at));
                }
                if (t == 0) {
                    // a message with a file: its bytes go along
                    byte[] bytes = "log line".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    String hash = dev.switchboard.conversation.Attachment.sha256(bytes);
                    files.conversations().append(key, dev.switchboard.conversation.Turn.user("U0", "", "see file",
                            T0.plus(Duration.ofMinutes(50)), List.of("m-file"), List.of(
                                    dev.switchboard.conversation.Attachment.pending("a.log", "text/plain", 8))));
                    files.conversations().attach(key, "m-file", List.of(dev.switchboard.conversation.Attachment.read(
                            "a.log", "text/plain", 8, hash, dev.switchboard.conversation.Attachment.Kind.TEXT)),
                            Map.of(hash, bytes));
                }
                if (t == 1) {
                    files.conversations().putMetadata(key, "route", "careful");
                    // verdicts on an answer go with the thread, to the nanosecond
                    String answer = Turns.assistant("a 1.1", T0).messageIds().getFirst();
                    files.conversations().giveFeedback(key, answer, "U7", dev.switchboard.conversation.Verdict.GOOD,
                            T0.plusNanos(123_456_789));
                    files.conversations().giveFeedback(key, answer, "U8", dev.switchboard.conversation.Verdict.BAD,
                            T0.plusSeconds(1));
                }
                if (t == 2) {
                    // a note kept while a reply ran, removed after: the last change is later than any turn
                    clock.advance(Duration.ofMinutes(30));
                    files.conversations().putMetadata(key, "shown", "m1");
                    clock.advance(Duration.ofMinutes(1));
                    files.conversations().putMetadata(key, "shown", null);
                }
            }
            // a thread of notes only, all removed again: no turn carries its times
            ConversationKey notes = new ConversationKey("slack", "W9", "-", "pending-asks");
            files.conversations().putMetadata(notes, "ask:1", "pending");
            clock.advance(Duration.ofMinutes(5));
            files.conversations().putMetadata(notes, "ask:1", null);
            files.settings().save(new OperatorSettings(List.of("openai"), Map.of("slack:W1/C1", "anthropic/x"),
                    null, null));
            files.audit().record(T0, "slack", "U1", "provider openai off", "openai is out of rotation.");
            files.audit().record(T0, "slack", "U1", "provider openai off", "openai is out of rotation.");
            files.audit().record(T0.plusSeconds(1), "shell", "local", "status", "providers:");
            files.usage().record(new UsageRecord(T0, "slack", "W0", "C0", "U0", "openai", "gpt", 10, 20, 0.25));
            files.usage().record(new UsageRecord(T0.plusSeconds(2), "discord", "W1", "C1", "U1", "anthropic", "c",
                    1, 2, 0));
        }
    }

    /** Every thread's export (taken at one fixed time), the settings, audit entries and usage, as one comparable map. */
    private Map<String, Object> everything(SwitchboardConfig.Storage storage) {
        try (Stores stores = Stores.open(storage, MutableClock.at("2026-03-16T00:00:00Z"), new SimpleMeterRegistry())) {
            return StoredState.of(StoreCopy.PLATFORMS, stores.conversations(), stores.settings(), stores.audit(),
                    stores.usage());
        }
    }

    @Test
    void copy_filesToPostgresAndBack_givesTheSameExports_andASecondRunCopiesNothing() throws IOException {
        Path source = dir.resolve("source");
        Path back = dir.resolve("back");
        populate(source);
        Map<String, Object> before = everything(storage(source, "files"));
        assertThat(before).hasSize(6 + 3);
        assertThat(before.toString()).as("verdicts are part of the state").contains("\"U7\"", "\"BAD\"");
        assertThat(before.toString()).as("attachments' bytes are part of the state")
                .contains(java.util.Base64.getEncoder().encodeToString("log line".getBytes(
                        java.nio.charset.StandardCharsets.UTF_8)));

        Run toPostgres = copy(source, "files", "postgres");
        assertThat(toPostgres.code()).as(toPostgres.err()).isZero();
        assertThat(toPostgres.out()).as("plain progress lines: the output is not a terminal")
                .contains("conversations: 0/6 (0%)", "conversations: 6/6 (100%)", "audit entries: 3/3 (100%)",
                        "usage records: 2/2 (100%)").doesNotContain("\r")
                .contains("copied: 6 conversations (46 turns), 1 settings, 3 audit entries, 2 usage records");
        Run again = copy(source, "files", "postgres");
        assertThat(again.out()).contains("copied: 0 conversations (0 turns), 0 settings, 0 audit entries,"
                + " 0 usage records");
        assertThat(everything(storage(source, "postgres"))).isEqualTo(before);

        Run toFiles = copy(back, "postgres", "files");
        assertThat(toFiles.code()).as(toFiles.err()).isZero();
        assertThat(copy(back, "postgres", "files").out()).contains("copied: 0 conversations (0 turns)");
        Map<String, Object> after = everything(storage(back, "files"));
        before.keySet().forEach(thread -> assertThat(after.get(thread)).as(thread).isEqualTo(before.get(thread)));
        assertThat(after).isEqualTo(before);
        assertThat(everything(storage(source, "files"))).as("the source is only read").isEqualTo(before);
    }

    @Test
    void copy_resumesAfterAnInterruption_andSeenMessagesFollowFromTheTurns() throws IOException {
        Path source = dir.resolve("source");
        populate(source);
        ConversationKey key = new ConversationKey("discord", "W4", "C4", "th-4");
        try (Stores half = Stores.open(storage(source, "postgres"), MutableClock.at("2026-03-16T00:00:00Z"),
                new SimpleMeterRegistry());
             Stores files = Stores.open(storage(source, "files"), MutableClock.at("2026-03-16T00:00:00Z"),
                     new SimpleMeterRegistry())) {
            // as if killed after the fifth turn of one thread and the first audit entry
            files.conversations().loadComplete(key).orElseThrow().turns().subList(0, 5)
                    .forEach(turn -> half.conversations().append(key, turn));
            AuditLog.Entry first = files.audit().entries().get(0);
            half.audit().record(first.at(), first.platform(), first.userId(), first.command(), first.result());
        }

        Run resumed = copy(source, "files", "postgres");

        assertThat(resumed.out()).contains("copied: 6 conversations (41 turns), 1 settings, 2 audit entries");
        assertThat(everything(storage(source, "postgres"))).isEqualTo(everything(storage(source, "files")));
        try (Stores pg = Stores.open(storage(source, "postgres"), MutableClock.at("2026-03-16T00:00:00Z"),
                new SimpleMeterRegistry());
             Stores files = Stores.open(storage(source, "files"), MutableClock.at("2026-03-16T00:00:00Z"),
                     new SimpleMeterRegistry())) {
            for (var turn : files.conversations().loadComplete(key).orElseThrow().turns()) {
                if (turn.role() == dev.switchboard.conversation.Role.USER) {
                    assertThat(pg.conversations().seen(key, turn.messageIds().get(0))).as(turn.text())
                            .isNotEqualTo(SeenMessages.Seen.NEW);
                }
            }
        }
    }

    @Test
    void copy_toTheConfiguredBackend_isRefused() throws IOException {
        Run same = copy(dir.resolve("source"), "files", "files");

        assertThat(same.code()).isEqualTo(Switchboard.EXIT_CONFIG);
        assertThat(same.err()).contains("storage.backend is already files");
    }
}
