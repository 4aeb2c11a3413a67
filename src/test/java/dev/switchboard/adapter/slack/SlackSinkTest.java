package dev.switchboard.adapter.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import dev.switchboard.live.ReplySink;
import dev.switchboard.testing.FakeSlack;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A reply's post whose answer is lost (Slack took it, the answer timed out) is found on Slack and used, not posted a
 * second time beside it; through the real client against FakeSlack, with a short read timeout.
 */
class SlackSinkTest {

    private final FakeSlack fake = FakeSlack.start().user("U1", "Ada").channel("C1", "general");
    private final java.util.List<AutoCloseable> open = new java.util.ArrayList<>();
    private final SlackApi api = api(fake.apiUrl());
    private final AtomicInteger permits = new AtomicInteger();

    /** The real client at {@code url}, giving up on an answer after 300 ms; closed after the test. */
    private SlackApi api(String url) {
        SlackConfig c = new SlackConfig();
        c.setMethodsEndpointUrlPrefix(url);
        c.setStatsEnabled(false);
        c.setHttpClientReadTimeoutMillis(300);
        Slack slack = Slack.getInstance(c);
        SlackApi client = new SlackApi(slack.methods(FakeSlack.BOT_TOKEN));
        open.add(slack);
        open.add(client);
        return client;
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        fake.close();
    }

    private SlackSink sink(String threadTs, String questionTs) {
        return new SlackSink(api, "C1", threadTs, questionTs, permits::incrementAndGet);
    }

    @Test
    void aPostSlackTookButNeverAnsweredIsFoundAndUsed_notPostedAgain() {
        String question = fake.post("C1", "U1", "<@" + FakeSlack.BOT_USER + "> hi");
        SlackSink sink = sink(question, question);
        fake.stallAfterNext("chat.postMessage");

        String ts = sink.post("_thinking…_").toCompletableFuture().join();

        assertThat(fake.thread("C1", question)).filteredOn(m -> FakeSlack.BOT_USER.equals(m.user()))
                .singleElement().satisfies(m -> {
                    assertThat(m.ts()).isEqualTo(ts);
                    assertThat(m.text()).isEqualTo("_thinking…_");
                });
        assertThat(fake.count("conversations.replies")).as("looked for once").isEqualTo(1);
        assertThat(permits).as("the read waited for its rate limit").hasValue(1);
        // The sink edits the message it found, as one it posted.
        sink.edit(ts, "Hello.").toCompletableFuture().join();
        assertThat(fake.thread("C1", question)).filteredOn(m -> FakeSlack.BOT_USER.equals(m.user()))
                .extracting(FakeSlack.Message::text).containsExactly("Hello.");
    }

    @Test
    void aPostSlackNeverTookFails_andTheReplysOwnMessagesAreNotMistakenForIt() {
        String question = fake.post("C1", "U1", "<@" + FakeSlack.BOT_USER + "> hi");
        SlackSink sink = sink(question, question);
        String first = sink.post("part one").toCompletableFuture().join();
        fake.stallNext("chat.postMessage"); // never carried out, never answered

        assertThatThrownBy(() -> sink.post("part two").toCompletableFuture().join())
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(ReplySink.WriteFailed.class)
                .hasMessageContaining("chat.postMessage");
        assertThat(fake.count("conversations.replies")).isEqualTo(1);
        assertThat(fake.thread("C1", question)).filteredOn(m -> FakeSlack.BOT_USER.equals(m.user()))
                .extracting(FakeSlack.Message::ts).containsExactly(first);
    }

    @Test
    void aPostThatNeverReachedSlackFailsWithoutALookup() throws Exception {
        int closedPort;
        try (var probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        SlackSink sink = new SlackSink(api("http://127.0.0.1:" + closedPort + "/api/"), "C1", "1.000100",
                "1.000100", permits::incrementAndGet);

        assertThatThrownBy(() -> sink.post("hi").toCompletableFuture().join())
                .cause().isInstanceOf(ReplySink.WriteFailed.class).hasMessageContaining("ConnectException");
        assertThat(permits).as("nothing was looked for").hasValue(0);
    }
}
