package dev.switchboard.soak;

import dev.switchboard.testing.FakeDiscord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where Discord replies waited in an end-to-end row: for each reply, when its thread was opened and its first message
 * posted (from FakeDiscord's call log), and what the bot sent second by second after the questions, by kind. Printed
 * beside the row, so a first-words figure above the budgets' bound can be traced to the requests ahead of it.
 */
final class E2eTimeline {

    private E2eTimeline() {
    }

    static String of(FakeDiscord fake, List<E2ePlatform.Asked> asked) {
        if (asked.isEmpty()) {
            return "";
        }
        Instant start = asked.getFirst().at();
        List<FakeDiscord.Call> calls = fake.calls();
        List<Double> thread = new ArrayList<>();
        List<Double> firstPost = new ArrayList<>();
        List<Double> askedAt = new ArrayList<>();
        for (E2ePlatform.Asked a : asked) {
            askedAt.add(Duration.between(start, a.at()).toMillis() / 1000.0);
            thread.add(first(calls, "POST", "/messages/" + a.id() + "/threads", start));
            firstPost.add(first(calls, "POST", "channels/" + a.id() + "/messages", start));
        }
        Map<Long, int[]> perSecond = new TreeMap<>();
        for (FakeDiscord.Call c : calls) {
            if (c.at().isBefore(start)) {
                continue;
            }
            int[] n = perSecond.computeIfAbsent(Duration.between(start, c.at()).toSeconds(), s -> new int[5]);
            String path = c.path();
            if (path.endsWith("/threads")) {
                n[0]++;
            } else if (c.method().equals("POST") && path.endsWith("/messages")) {
                n[1]++;
            } else if (c.method().equals("PATCH")) {
                n[2]++;
            } else if (path.endsWith("/typing")) {
                n[3]++;
            } else {
                n[4]++;
            }
        }
        StringBuilder out = new StringBuilder("asked (s): ").append(list(askedAt)).append("\nthread opened, by reply in asking order (s): ").append(list(thread))
                .append("\nfirst post, by reply in asking order (s): ").append(list(firstPost))
                .append("\nrequests a second after the questions (threads / posts / edits / typing / other):");
        perSecond.entrySet().stream().limit(20).forEach(e -> out.append(String.format(Locale.ROOT, " %ds %d/%d/%d/%d/%d",
                e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2], e.getValue()[3], e.getValue()[4])));
        return out.toString();
    }

    private static double first(List<FakeDiscord.Call> calls, String method, String pathPart, Instant start) {
        for (FakeDiscord.Call c : calls) {
            if (c.method().equals(method) && c.path().contains(pathPart) && c.status() < 300) {
                return Duration.between(start, c.at()).toMillis() / 1000.0;
            }
        }
        return Double.NaN;
    }

    private static String list(List<Double> times) {
        StringBuilder b = new StringBuilder();
        for (double t : times) {
            b.append(String.format(Locale.ROOT, "%.1f ", t));
        }
        return b.toString().strip();
    }
}
