package dev.switchboard.adapter.discord;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChannelSinkTest {

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
