package dev.switchboard.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.soak.E2ePlatform.Asked;
import dev.switchboard.testing.FakeDiscord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;

/**
 * The naive reference policy beside the service's rows: what a minimal bot does when it paces each reply on its own
 * and nothing else. Per question it opens the thread (when threads are on), posts the words there are once the first
 * has come, then edits the reply once a second with the words so far and writes the final text at the end: raw HTTP
 * to FakeDiscord, no global pacing, no shared budget; a 429 on an edit is ignored (the next second's edit carries
 * the words), on the thread, the first post and the final text its Retry-After is waited out and the request sent
 * again, as client libraries do per request. Its words come on the fake provider's schedule (first after the
 * first-token delay, then one per interval), computed rather than streamed: the platform side is what it compares.
 */
final class NaiveDiscordBot {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeDiscord fake;
    private final boolean threads;
    private final NaiveSchedule schedule;
    private final HttpClient http = HttpClient.newHttpClient();

    NaiveDiscordBot(FakeDiscord fake, boolean threads, NaiveSchedule schedule) {
        this.fake = fake;
        this.threads = threads;
        this.schedule = schedule;
    }

    /** Answers every question (in its channel) and returns when each answer's words "left the provider". */
    List<Instant[]> answer(List<Asked> asked, List<String> channels, List<String> answers) throws InterruptedException {
        return schedule.answerAll(asked, answers, (a, tokens, times) -> reply(a, channels.get(a.index()), tokens,
                times));
    }

    private void reply(Asked a, String channel, List<String> tokens, Instant[] times) throws Exception {
        String place = channel;
        if (threads) {
            patiently("POST", "channels/" + channel + "/messages/" + a.id() + "/threads",
                    () -> JSON.createObjectNode().put("name", "reply"));
            place = a.id();
        }
        NaiveSchedule.sleepUntil(times[0]);
        HttpResponse<String> posted = patiently("POST", "channels/" + place + "/messages",
                () -> content(tokens, times));
        if (posted.statusCode() != 200) {
            return;
        }
        String path = "channels/" + place + "/messages/" + JSON.readTree(posted.body()).path("id").asText();
        NaiveSchedule.eachSecondUntil(times[times.length - 1], () -> send("PATCH", path, content(tokens, times)));
        patiently("PATCH", path, () -> content(tokens, times));
    }

    /** Sends, and after a 429 waits its Retry-After and sends again (up to 20 times): what any client library does. */
    private HttpResponse<String> patiently(String method, String path, java.util.function.Supplier<ObjectNode> body)
            throws IOException, InterruptedException {
        HttpResponse<String> r = send(method, path, body.get());
        for (int tries = 1; r.statusCode() == 429 && tries < 20; tries++) {
            double wait = JSON.readTree(r.body()).path("retry_after").asDouble(1);
            Thread.sleep((long) (wait * 1000) + 1);
            r = send(method, path, body.get());
        }
        return r;
    }

    /** The words sent by now. */
    private static ObjectNode content(List<String> tokens, Instant[] times) {
        return JSON.createObjectNode().put("content", NaiveSchedule.soFar(tokens, times));
    }

    private HttpResponse<String> send(String method, String path, ObjectNode body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(fake.restUrl() + path))
                .header("Authorization", "Bot " + FakeDiscord.TOKEN).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
