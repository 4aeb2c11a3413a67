package dev.switchboard.soak;

import dev.switchboard.soak.E2eFigures.Shown;
import dev.switchboard.soak.EndToEndBenchmark.Limits;
import dev.switchboard.soak.EndToEndBenchmark.Row;
import dev.switchboard.testing.FakeDiscord;
import dev.switchboard.testing.FakeSlack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One platform's side of the end-to-end benchmark: its fake with the world (users, channels), the service's config
 * section for it, how a user asks, and what the fake shows of each reply over time. Replies are told apart by the
 * key word their answer starts with ("r17"); before any words, by where they are (the question's thread).
 */
sealed interface E2ePlatform extends AutoCloseable {

    Pattern KEY = Pattern.compile("^r(\\d+)[ .]");

    /** A question as asked: its conversation, when, and its id (Discord message id, Slack ts). */
    record Asked(int index, Instant at, String id) { }

    String yaml();

    Asked ask(int i, String question);

    /** Every answer is shown exactly, somewhere. */
    boolean finished(List<Asked> asked, List<String> answers);

    /** Every text shown for each conversation's reply, by conversation. */
    Map<Integer, List<Shown>> shown(List<Asked> asked, List<String> answers);

    /** The text the platform shows now for the reply (the message that starts with the key), or null. */
    String finalText(Asked asked, String answer);

    Limits limits();

    @Override
    void close();

    /** The conversation a text belongs to by its key word, or -1. */
    static int keyOf(String text) {
        Matcher m = KEY.matcher(text);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Discord: mentions in text channels; threads on ({@code discord-threads}) or off ({@code discord-channel}). */
    record Discord(FakeDiscord fake, Row row) implements E2ePlatform {

        public Discord {
            fake.recordRevisions();
            for (int i = 0; i < row.k() + EndToEndBenchmark.WARM_UP; i++) { // and the warm-up's users
                fake.user(user(i), "user" + i);
            }
            for (int j = 0; j < row.channels(); j++) {
                fake.textChannel(channel(j), "bench-" + j);
            }
        }

        private static String user(int i) {
            return Long.toString(300_000_000_000_000_000L + i);
        }

        static String channel(int j) {
            return Long.toString(400_000_000_000_000_000L + j);
        }

        @Override
        public String yaml() {
            return """
                    discord:
                      token: %s
                      rest_url: %s
                      gateway_url: %s
                      message_content: true
                      threads: %s
                      command_guild: "%s"
                      user_rate_limit: {messages: 1000, per: 1m}
                    """.formatted(FakeDiscord.TOKEN, fake.restUrl(), fake.gatewayUrl(),
                    row.platform().equals("discord-threads"), FakeDiscord.GUILD);
        }

        @Override
        public Asked ask(int i, String question) {
            Instant at = Instant.now();
            String id = fake.post(channel(i % row.channels()), user(i), "<@" + FakeDiscord.BOT_ID + "> " + question);
            return new Asked(i, at, id);
        }

        @Override
        public boolean finished(List<Asked> asked, List<String> answers) {
            Set<String> shown = new HashSet<>();
            fake.botMessages().forEach(m -> shown.add(m.content()));
            return shown.containsAll(answers);
        }

        @Override
        public Map<Integer, List<Shown>> shown(List<Asked> asked, List<String> answers) {
            Map<String, Integer> byPlace = new HashMap<>();
            asked.forEach(a -> byPlace.put(a.id(), a.index()));
            Map<Integer, List<Shown>> out = new HashMap<>();
            for (FakeDiscord.Revision r : fake.revisions()) {
                int i = keyOf(r.content());
                if (i < 0) {
                    // before its words: the thread named by the question's id, or a reply to the question
                    i = byPlace.getOrDefault(r.channel(), r.replyTo() == null ? -1
                            : byPlace.getOrDefault(r.replyTo(), -1));
                }
                if (i >= 0) {
                    out.computeIfAbsent(i, x -> new ArrayList<>()).add(new Shown(r.at(), r.content()));
                }
            }
            return out;
        }

        @Override
        public String finalText(Asked asked, String answer) {
            String last = null;
            for (FakeDiscord.Message m : fake.botMessages()) {
                if (!m.deleted() && keyOf(m.content()) == asked.index()) {
                    last = m.content();
                }
            }
            return last;
        }

        @Override
        public Limits limits() {
            if (fake.rateLimited() > 0) {
                System.out.println("e2e: 429s by limit and route: " + fake.rateLimitedByRoute());
            }
            return new Limits(fake.rateLimited(), fake.requestsInRetryAfter(), fake.calls().size());
        }

        @Override
        public void close() {
            fake.close();
        }
    }

    /**
     * Slack: mentions answered in their thread; chat.update ({@code slack}), native streaming ({@code slack-stream}),
     * or chat.update with native streaming for replies starting while it is busy ({@code slack-busy}).
     */
    record Slack(FakeSlack fake, Row row) implements E2ePlatform {

        public Slack {
            for (int i = 0; i < row.k() + EndToEndBenchmark.WARM_UP; i++) { // and the warm-up's users
                fake.user(user(i), "user" + i);
            }
            for (int j = 0; j < row.channels(); j++) {
                fake.channel(channel(j), "bench-" + j);
            }
        }

        static String user(int i) {
            return "U" + (1000 + i);
        }

        static String channel(int j) {
            return "C" + (100 + j);
        }

        @Override
        public String yaml() {
            return """
                    slack:
                      bot_token: %s
                      app_token: %s
                      api_url: %s
                      native_streaming: %s
                      stream_when_busy: %s
                      user_rate_limit: {messages: 1000, per: 1m}
                    """.formatted(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN, fake.apiUrl(),
                    row.platform().equals("slack-stream"), row.platform().equals("slack-busy"));
        }

        @Override
        public Asked ask(int i, String question) {
            Instant at = Instant.now();
            String ts = fake.post(channel(i % row.channels()), user(i), "<@" + FakeSlack.BOT_USER + "> " + question);
            return new Asked(i, at, ts);
        }

        @Override
        public boolean finished(List<Asked> asked, List<String> answers) {
            Set<String> shown = new HashSet<>();
            fake.botMessages().forEach(m -> shown.add(m.text()));
            return shown.containsAll(answers);
        }

        /**
         * From the Web API calls that took effect: posts in the question's thread, and updates carrying the key.
         * Native streaming's appends carry pieces, not the whole text: only its start and stop are seen here.
         */
        @Override
        public Map<Integer, List<Shown>> shown(List<Asked> asked, List<String> answers) {
            Map<String, Integer> byThread = new HashMap<>();
            asked.forEach(a -> byThread.put(a.id(), a.index()));
            Map<Integer, List<Shown>> out = new HashMap<>();
            for (FakeSlack.Call c : fake.calls()) {
                if (c.status() != 200 || c.error() != null) {
                    continue;
                }
                String text = c.params().getOrDefault("text", c.params().getOrDefault("markdown_text", ""));
                int i = keyOf(text);
                if (i < 0 && (c.method().equals("chat.postMessage") || c.method().equals("chat.startStream"))) {
                    i = byThread.getOrDefault(c.params().getOrDefault("thread_ts", ""), -1);
                }
                if (i >= 0) {
                    out.computeIfAbsent(i, x -> new ArrayList<>()).add(new Shown(c.at(), text));
                }
            }
            return out;
        }

        @Override
        public String finalText(Asked asked, String answer) {
            String last = null;
            for (FakeSlack.Message m : fake.botMessages()) {
                if (!m.deleted() && keyOf(m.text()) == asked.index()) {
                    last = m.text();
                }
            }
            return last;
        }

        /** Slack's fake does not count requests inside a Retry-After: -1 (none can be when there was no 429). */
        @Override
        public Limits limits() {
            List<FakeSlack.Call> calls = fake.calls();
            long limited = calls.stream().filter(c -> c.status() == 429).count();
            if (limited > 0) {
                System.out.println("e2e: slack 429s by method: " + calls.stream().filter(c -> c.status() == 429)
                        .collect(java.util.stream.Collectors.groupingBy(FakeSlack.Call::method,
                                java.util.stream.Collectors.counting())));
            }
            return new Limits(limited, limited == 0 ? 0 : -1, calls.size());
        }

        @Override
        public void close() {
            fake.close();
        }
    }
}
