package dev.switchboard.adapter.discord;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.live.ResumingSink;
import dev.switchboard.testing.FakeDiscord;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.utils.ConcurrentSessionController;
import net.dv8tion.jda.api.utils.Compression;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A reply's posts against the fake Discord through real JDA: their nonces, and a next try taking its places back. */
class ChannelSinkTest {

    private static final String C1 = "400000000000000001";
    /** The message answered. */
    private static final String QUESTION = "1578355159761682432";

    private final FakeDiscord fake = FakeDiscord.start();
    private JDA jda;

    @BeforeEach
    void connect() throws InterruptedException {
        fake.textChannel(C1, "general").channelLimit(50, Duration.ofSeconds(1));
        jda = JDABuilder.createLight(FakeDiscord.TOKEN, EnumSet.of(GatewayIntent.GUILD_MESSAGES))
                .setRestConfig(new RestConfig().setBaseUrl(fake.restUrl()))
                .setSessionController(new ConcurrentSessionController() {
                    @Override
                    public String getGateway() {
                        return fake.gatewayUrl();
                    }
                })
                .setCompression(Compression.NONE)
                .setEnableShutdownHook(false)
                .build();
        jda.awaitReady();
    }

    @AfterEach
    void close() {
        jda.shutdownNow();
        fake.close();
    }

    private ChannelSink sink() {
        return new ChannelSink(CompletableFuture.completedFuture(new ChannelSink.Place(jda.getTextChannelById(C1),
                null)), false, id -> { }, QUESTION);
    }

    private List<String> live() {
        return fake.messages(C1).stream().filter(m -> !m.deleted()).map(FakeDiscord.Message::content).toList();
    }

    @Test
    void aNextTryTakesBackThePostOfAPlaceNobodyNoted_andContinuesInIt() {
        ChannelSink first = sink();
        String m0 = first.post("Four,").toCompletableFuture().join();
        first.edit(m0, "Four, as it happens.").toCompletableFuture().join();
        String m1 = first.post("Two").toCompletableFuture().join(); // taken by Discord; the stop comes before its note

        ResumingSink next = new ResumingSink(sink(), List.of(m0), ids -> { }, Runnable::run);
        assertThat(next.post("Four, as it").toCompletableFuture().join()).isEqualTo(m0);
        assertThat(next.post("Two and two").toCompletableFuture().join()).isEqualTo(m1);
        assertThat(live()).containsExactly("Four, as it", "Two and two");
        assertThat(fake.nonceRepeats()).isEqualTo(1);
    }

    @Test
    void aPlaceWhoseMessageWasDeletedIsPostedAnew_andTheNextPlaceKeepsItsOwnMessage() {
        ChannelSink first = sink();
        String m0 = first.post("part one").toCompletableFuture().join();
        String m1 = first.post("part two").toCompletableFuture().join();
        fake.delete(C1, m0); // a moderator removes it before the next try

        ResumingSink next = new ResumingSink(sink(), List.of(m0, m1), ids -> { }, Runnable::run);
        String p0 = next.post("PART ONE").toCompletableFuture().join();
        String p1 = next.post("PART TWO").toCompletableFuture().join();
        assertThat(p0).isNotIn(m0, m1);
        assertThat(p1).isEqualTo(m1);
        assertThat(live()).containsExactlyInAnyOrder("PART ONE", "PART TWO");
        assertThat(next.leftovers()).isEmpty();
    }

    @Test
    void aPostsNonceIsTheAnsweredMessageAndItsPlace_withinDiscordsLength_andRandomWhereNoMessageIsAnswered() {
        assertThat(ChannelSink.nonce("1578355159761682432", 0)).isEqualTo("1578355159761682432.0");
        assertThat(ChannelSink.nonce("1578355159761682432", 12)).isEqualTo("1578355159761682432.12");
        assertThat(ChannelSink.nonce(null, 0)).as("JDA's random nonce").isNull();
        String odd = ChannelSink.nonce("x".repeat(40), 3);
        assertThat(odd).hasSizeLessThanOrEqualTo(ChannelSink.MAX_NONCE).endsWith(".3")
                .isEqualTo(ChannelSink.nonce("x".repeat(40), 3)).isNotEqualTo(ChannelSink.nonce("x".repeat(40), 4));
    }
}
