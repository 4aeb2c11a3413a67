package dev.switchboard.adapter.discord;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Attachments are fetched only from the configured CDN's host. */
class DiscordFilesTest {

    @Test
    void onlyTheConfiguredCdnIsAllowed() {
        DiscordFiles files = new DiscordFiles(URI.create("https://cdn.discordapp.com/"));
        assertThat(files.allowed(URI.create("https://cdn.discordapp.com/attachments/1/2/a.png?ex=1"))).isTrue();
        assertThat(files.allowed(URI.create("https://CDN.discordapp.com/attachments/1/2/a.png"))).isTrue();
        assertThat(files.allowed(URI.create("http://cdn.discordapp.com/attachments/1/2/a.png"))).isFalse();
        assertThat(files.allowed(URI.create("https://media.discordapp.net/attachments/1/2/a.png"))).isFalse();
        assertThat(files.allowed(URI.create("https://cdn.discordapp.com.evil.example/a.png"))).isFalse();
        assertThat(files.allowed(URI.create("file:///etc/passwd"))).isFalse();
    }
}
