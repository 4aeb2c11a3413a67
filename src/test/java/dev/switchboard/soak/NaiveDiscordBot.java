package dev.switchboard.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.soak.E2ePlatform.Asked;
import dev.switchboard.testing.FakeDiscord;
import dev.switchboard.testing.FakeProvider;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

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
    private final Duration firstToken;
    private final Duration interval;
    private final HttpClient http = HttpClient.newHttpClient();

    NaiveDiscordBot(FakeDiscord fake, boolean threads, Duration firstToken, Duration interval) {
        this.fake = fake;
        this.threads = threads;
        this.firstToken = firstToken;
        this.interval = interval;
    }

    /** Answers every question (in its channel) and returns when each answer's words "left the provider". */
    List<Instant[]> answer(List<Asked> asked, List<String> channels, List<String> answers) throws InterruptedException {
        List<Instant[]> sent = new ArrayList<>();
        try (ExecutorService bots = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Asked a : asked) {
                List<String> tokens = FakeProvider.tokens(answers.get(a.index()));
                Instant[] times = schedule(a, tokens, firstToken, interval);
                sent.add(times);
                bots.submit(() -> reply(a, channels.get(a.index()), tokens, times));
            }
            bots.shutdown();
            if (!bots.awaitTermination(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the naive bot did not finish");
            }
        }
        return sent;
    }

    private Void reply(Asked a, String channel, List<String> tokens, Instant[] times) throws Exception {
        String place = channel;
        if (threads) {
            patiently("POST", "channels/" + channel + "/messages/" + a.id() + "/threads",
                    () -> JSON.createObjectNode().put("name", "reply"));
            place = a.id();
        }
        sleepUntil(times[0]);
        HttpResponse<String> posted = patiently("POST", "channels/" + place + "/messages",
                () -> content(tokens, times));
        if (posted.statusCode() != 200) {
            return null;
        }
        String path = "channels/" + place + "/messages/" + JSON.readTree(posted.body()).path("id").asText();
        eachSecondUntil(times[times.length - 1], () -> send("PATCH", path, content(tokens, times)));
        patiently("PATCH", path, () -> content(tokens, times));
        return null;
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

    /** When each word of an answer leaves the fake provider: the first after the first-token delay, then evenly. */
    static Instant[] schedule(Asked a, List<String> tokens, Duration firstToken, Duration interval) {
        Instant[] times = new Instant[tokens.size()];
        for (int w = 0; w < tokens.size(); w++) {
            times[w] = a.at().plus(firstToken).plus(interval.multipliedBy(w));
        }
        return times;
    }

    /** How many words were sent by now. */
    static int sentBy(Instant now, Instant[] times) {
        int w = 0;
        while (w < times.length && !times[w].isAfter(now)) {
            w++;
        }
        return w;
    }

    /** The words sent by now. */
    private static ObjectNode content(List<String> tokens, Instant[] times) {
        return JSON.createObjectNode().put("content",
                String.join("", tokens.subList(0, sentBy(Instant.now(), times))));
    }

    private HttpResponse<String> send(String method, String path, ObjectNode body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(fake.restUrl() + path))
                .header("Authorization", "Bot " + FakeDiscord.TOKEN).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A write of a naive bot. */
    interface Write {
        void run() throws IOException, InterruptedException;
    }

    /** Runs {@code write} once a second from a second from now until {@code last}, then waits for {@code last}. */
    static void eachSecondUntil(Instant last, Write write) throws IOException, InterruptedException {
        for (Instant next = Instant.now().plusSeconds(1); next.isBefore(last); next = next.plusSeconds(1)) {
            sleepUntil(next);
            write.run();
        }
        sleepUntil(last);
    }

    /** The bot's own timing (it simulates the provider's schedule), not a wait for an outcome; never wakes early. */
    static void sleepUntil(Instant at) throws InterruptedException {
        for (Instant now = Instant.now(); now.isBefore(at); now = Instant.now()) {
            Thread.sleep(Math.max(1, Duration.between(now, at).toMillis()));
        }
    }
}
