package dev.switchboard.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.soak.E2ePlatform.Asked;
import dev.switchboard.testing.FakeSlack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;

/**
 * The naive reference policy beside the service's Slack rows, as {@link NaiveDiscordBot} is beside Discord's: each
 * reply paced on its own and nothing else. Per question, once the first word has come, it posts the words there are
 * in the question's thread, then once a second shows the words so far, and at the end the final text: with
 * {@code chat.update} of the whole text, or with native streaming ({@code chat.startStream}, {@code chat.appendStream}
 * of the words since, {@code chat.stopStream}). No budget shared between replies; a 429 on a progress write is
 * ignored (the next second's write carries the words), on the post and the final its Retry-After is waited out and
 * the call sent again, as client libraries do per request. Its words come on the fake provider's schedule, computed.
 */
final class NaiveSlackBot {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Enough for fifty finals sharing chat.update's fifty a minute, each told to wait until the window frees. */
    private static final int PATIENCE = 200;

    private final FakeSlack fake;
    private final boolean streaming;
    private final NaiveSchedule schedule;
    private final HttpClient http = HttpClient.newHttpClient();

    NaiveSlackBot(FakeSlack fake, boolean streaming, NaiveSchedule schedule) {
        this.fake = fake;
        this.streaming = streaming;
        this.schedule = schedule;
    }

    /** Answers every question (in its channel's thread) and returns when each answer's words "left the provider". */
    List<Instant[]> answer(List<Asked> asked, List<String> channels, List<String> users, List<String> answers)
            throws InterruptedException {
        return schedule.answerAll(asked, answers, (a, tokens, times) -> {
            if (streaming) {
                stream(a, channels.get(a.index()), users.get(a.index()), tokens, times);
            } else {
                edit(a, channels.get(a.index()), tokens, times);
            }
        });
    }

    private void edit(Asked a, String channel, List<String> tokens, Instant[] times) throws Exception {
        NaiveSchedule.sleepUntil(times[0]);
        JsonNode posted = patiently("chat.postMessage", () -> place(channel).put("thread_ts", a.id())
                .put("text", NaiveSchedule.soFar(tokens, times)));
        if (!posted.path("ok").asBoolean()) {
            return;
        }
        String ts = posted.path("ts").asText();
        NaiveSchedule.eachSecondUntil(times[times.length - 1], () -> call("chat.update", place(channel).put("ts", ts)
                .put("text", NaiveSchedule.soFar(tokens, times))));
        patiently("chat.update", () -> place(channel).put("ts", ts).put("text", String.join("", tokens)));
    }

    private void stream(Asked a, String channel, String user, List<String> tokens, Instant[] times) throws Exception {
        NaiveSchedule.sleepUntil(times[0]);
        int[] shown = {NaiveSchedule.sentBy(Instant.now(), times)};
        JsonNode started = patiently("chat.startStream", () -> place(channel).put("thread_ts", a.id())
                .put("recipient_team_id", FakeSlack.TEAM).put("recipient_user_id", user)
                .put("markdown_text", String.join("", tokens.subList(0, shown[0]))));
        if (!started.path("ok").asBoolean()) {
            return;
        }
        String ts = started.path("ts").asText();
        NaiveSchedule.eachSecondUntil(times[times.length - 1], () -> {
            int now = NaiveSchedule.sentBy(Instant.now(), times);
            if (now > shown[0] && call("chat.appendStream", place(channel).put("ts", ts)
                    .put("markdown_text", String.join("", tokens.subList(shown[0], now)))).path("ok").asBoolean()) {
                shown[0] = now;
            }
        });
        patiently("chat.stopStream", () -> {
            ObjectNode stop = place(channel).put("ts", ts);
            return shown[0] < tokens.size()
                    ? stop.put("markdown_text", String.join("", tokens.subList(shown[0], tokens.size()))) : stop;
        });
    }

    private static ObjectNode place(String channel) {
        return JSON.createObjectNode().put("channel", channel);
    }


    /** Calls, and after a 429 waits its Retry-After and calls again: what any client library does. */
    private JsonNode patiently(String method, java.util.function.Supplier<ObjectNode> body)
            throws IOException, InterruptedException {
        HttpResponse<String> r = send(method, body.get());
        for (int tries = 1; r.statusCode() == 429 && tries < PATIENCE; tries++) {
            Thread.sleep(Long.parseLong(r.headers().firstValue("Retry-After").orElse("1")) * 1000);
            r = send(method, body.get());
        }
        return JSON.readTree(r.body());
    }

    private JsonNode call(String method, ObjectNode body) throws IOException, InterruptedException {
        return JSON.readTree(send(method, body).body());
    }

    private HttpResponse<String> send(String method, ObjectNode body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(fake.apiUrl() + method))
                .header("Authorization", "Bearer " + FakeSlack.BOT_TOKEN)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
