package dev.switchboard.adapter.slack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Files are fetched only from Slack's file host or the configured API base's host, nowhere else. */
class SlackFilesTest {

    private final SlackFiles real = new SlackFiles(URI.create("https://slack.com/api/"), "xoxb-test");
    private final SlackFiles fake = new SlackFiles(URI.create("http://127.0.0.1:4321/api/"), "xoxb-test");

    @Test
    void onlySlacksOwnHostsAreAllowed() {
        assertThat(real.allowed(URI.create("https://files.slack.com/files-pri/T1-F1/a.png"))).isTrue();
        assertThat(real.allowed(URI.create("https://slack.com/files-pri/T1-F1/a.png"))).isTrue();
        assertThat(real.allowed(URI.create("http://files.slack.com/files-pri/T1-F1/a.png"))).isFalse();
        assertThat(real.allowed(URI.create("https://files.slack.com.evil.example/a.png"))).isFalse();
        assertThat(real.allowed(URI.create("https://evil.example/files.slack.com/a.png"))).isFalse();
        assertThat(real.allowed(URI.create("https://files.slack.com:8443/a.png"))).isFalse();
        assertThat(fake.allowed(URI.create("http://127.0.0.1:4321/files-user/T-F1/a.png"))).isTrue();
        assertThat(fake.allowed(URI.create("http://127.0.0.1:4322/files-user/T-F1/a.png"))).isFalse();
        assertThat(fake.allowed(URI.create("http://169.254.169.254/latest/meta-data"))).isFalse();
        assertThat(real.allowed(null)).isFalse();
    }
}
