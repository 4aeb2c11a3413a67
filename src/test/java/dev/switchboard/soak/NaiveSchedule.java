package dev.switchboard.soak;

import dev.switchboard.soak.E2ePlatform.Asked;
import dev.switchboard.testing.FakeProvider;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * What the naive bots ({@link NaiveDiscordBot}, {@link NaiveSlackBot}) share: the fake provider's schedule of each
 * answer's words (the first after the first-token delay, then one per interval), computed rather than streamed, and
 * their writes once a second.
 */
record NaiveSchedule(Duration firstToken, Duration interval) {

    /** One reply of a naive bot, its words due at {@code times}. */
    interface Reply {
        void answer(Asked asked, List<String> tokens, Instant[] times) throws Exception;
    }

    /** A write of a naive bot. */
    interface Write {
        void run() throws IOException, InterruptedException;
    }

    /** Answers every question, each on a thread of its own; returns when each answer's words "left the provider". */
    List<Instant[]> answerAll(List<Asked> asked, List<String> answers, Reply reply) throws InterruptedException {
        List<Instant[]> sent = new ArrayList<>();
        try (ExecutorService bots = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Asked a : asked) {
                List<String> tokens = FakeProvider.tokens(answers.get(a.index()));
                Instant[] times = new Instant[tokens.size()];
                for (int w = 0; w < tokens.size(); w++) {
                    times[w] = a.at().plus(firstToken).plus(interval.multipliedBy(w));
                }
                sent.add(times);
                bots.submit(() -> {
                    reply.answer(a, tokens, times);
                    return null;
                });
            }
            bots.shutdown();
            if (!bots.awaitTermination(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the naive bot did not finish");
            }
        }
        return sent;
    }

    /** How many words were sent by {@code now}. */
    static int sentBy(Instant now, Instant[] times) {
        int w = 0;
        while (w < times.length && !times[w].isAfter(now)) {
            w++;
        }
        return w;
    }

    /** The words sent by now. */
    static String soFar(List<String> tokens, Instant[] times) {
        return String.join("", tokens.subList(0, sentBy(Instant.now(), times)));
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
