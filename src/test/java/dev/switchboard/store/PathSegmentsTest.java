package dev.switchboard.store;

import static dev.switchboard.testing.Turns.user;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.conversation.ConversationKey;
import dev.switchboard.conversation.Turn;
import dev.switchboard.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PathSegmentsTest {

    static List<String> hostileIds() {
        return List.of(
                "..", ".", "../../../etc/passwd", "..\\..\\windows", "/etc/passwd", "/", "C:\\Windows\\system32",
                "a/../../b", "nul\u0000byte", "\u0000", "..\u0000/x",
                "\uFF0E\uFF0E\uFF0Fetc",           // fullwidth dots and slash
                "\u2024\u2024\u2215etc",           // one-dot leaders and a division slash
                "\u002E\u0338\u002E",              // dots with a combining overlay
                "%2e%2e%2f%2e%2e%2f", "~2E~2E~2F", ".hidden", "~~collision", "tab\tand\nnewline", "   ",
                "x".repeat(10_000), "../".repeat(3_000), "é".repeat(5_000));
    }

    @ParameterizedTest
    @MethodSource("hostileIds")
    void encode_hostileId_givesOneSafeSegment(String id) {
        String segment = PathSegments.encode(id);

        assertThat(segment).isNotEmpty().doesNotStartWith(".").doesNotContain("/", "\\", "\u0000", "..");
        assertThat(segment.length()).isLessThanOrEqualTo(PathSegments.MAX_LENGTH);
        assertThat(segment).matches("[A-Za-z0-9._~-]+");
        String decoded = PathSegments.decode(segment);
        if (decoded != null) {
            assertThat(decoded).isEqualTo(id);
        }
    }

    @Test
    void encode_differentIds_neverShareASegment() {
        List<String> ids = new java.util.ArrayList<>(hostileIds());
        ids.addAll(List.of("a/b", "a_b", "a~2Fb", "a.b", "A.B", "1700000000.000100", "x".repeat(10_001),
                "x".repeat(9_999) + "y"));
        Set<String> segments = new HashSet<>();
        for (String id : ids) {
            segments.add(PathSegments.encode(id));
        }
        assertThat(segments).hasSize(ids.size());
    }

    @Test
    void encode_ordinaryPlatformIds_stayReadable() {
        assertThat(PathSegments.encode("1700000000.000100")).isEqualTo("1700000000.000100");
        assertThat(PathSegments.encode("C0123ABCD")).isEqualTo("C0123ABCD");
        assertThat(PathSegments.encode("1234567890123456789")).isEqualTo("1234567890123456789");
    }

    @ParameterizedTest
    @MethodSource("hostileIds")
    void append_withHostileIdsInEveryPart_writesOnlyInsideTheDataFolder(String id, @TempDir Path dir)
            throws IOException {
        Path data = dir.resolve("data");
        Path outside = dir.resolve("outside");
        Files.createDirectories(outside);
        MutableClock clock = MutableClock.at("2026-03-15T10:00:00Z");
        JsonFileConversationStore store = new JsonFileConversationStore(
                FileStoreOptions.defaults(data), clock, new SimpleMeterRegistry());
        List<ConversationKey> keys = List.of(
                new ConversationKey(id, "T1", "C1", "t"), new ConversationKey("slack", id, "C1", "t"),
                new ConversationKey("slack", "T1", id, "t"), new ConversationKey("slack", "T1", "C1", id));
        for (ConversationKey key : keys) {
            store.append(key, user("U1", "hello", clock.instant()));
        }

        try (Stream<Path> all = Files.walk(dir)) {
            Path realData = data.toRealPath();
            assertThat(all.filter(Files::isRegularFile).map(p -> {
                try {
                    return p.toRealPath();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })).allSatisfy(p -> assertThat(p).startsWith(realData));
        }
        try (Stream<Path> top = Files.list(dir)) {
            assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("data", "outside");
        }
        JsonFileConversationStore reopened = new JsonFileConversationStore(
                FileStoreOptions.defaults(data), clock, new SimpleMeterRegistry());
        for (ConversationKey key : keys) {
            assertThat(reopened.load(key).orElseThrow().turns()).extracting(Turn::text).containsExactly("hello");
        }
    }
}
