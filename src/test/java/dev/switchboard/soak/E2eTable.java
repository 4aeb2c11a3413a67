package dev.switchboard.soak;

import static dev.switchboard.soak.E2eFigures.p50p95;
import static dev.switchboard.soak.E2eFigures.p50p95p99;
import static dev.switchboard.soak.E2eFigures.seconds;

import dev.switchboard.soak.E2eFigures.Figures;
import dev.switchboard.soak.EndToEndBenchmark.Costs;
import dev.switchboard.soak.EndToEndBenchmark.Limits;
import dev.switchboard.soak.EndToEndBenchmark.Row;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The end-to-end benchmark's Markdown table: one line per row, and the legend saying what each column is. */
final class E2eTable {

    private E2eTable() {
    }

    static List<String> header() {
        return List.of("| platform | K | ch | exact / failed | first sign p50 / p95 s | first words p50 / p95 s"
                        + " | bound p50 / p95 s | lag per word p50 / p95 / p99 s | edit interval bound s"
                        + " | final after last token p50 / p95 s | final bound p50 / p95 s | final over its bound"
                        + " p50 / p95 s | 429s | in Retry-After | requests"
                        + " | CPU s (per reply) | idle RSS MiB | peak RSS MiB |",
                "| --- | ---: | ---: | --- | --- | --- | --- | --- | ---: | --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: |");
    }

    /** One row; {@code costs} null for the naive bot, which runs inside the benchmark's own JVM. */
    static String line(Row row, String label, Figures f, Limits limits, Costs costs, long firstTokenMillis,
                       int gate) {
        boolean threads = !row.platform().equals("discord-channel");
        long[] bound = E2eFigures.firstWordsBound(row.discord() ? "discord" : "slack", threads, row.k(),
                row.channels(), firstTokenMillis, gate);
        int slots = EndToEndBenchmark.STREAMS == null ? EndToEndBenchmark.DEFAULT_STREAMS : EndToEndBenchmark.STREAMS;
        long answer = firstTokenMillis + (EndToEndBenchmark.WORDS - 1) * EndToEndBenchmark.WORD_INTERVAL.toMillis();
        long[] slotted = E2eFigures.firstWordsBound(row.discord() ? "discord" : "slack", threads, row.k(),
                row.channels(), firstTokenMillis, gate, slots, answer);
        String slotBound = slotted[1] == bound[1] ? "" : " (" + slots + " stream slots: " + seconds(slotted[0]) + " / "
                + seconds(slotted[1]) + ")";
        long edit = E2eFigures.editIntervalBound(row.discord() ? "discord" : "slack", threads, row.k(),
                row.channels(), gate);
        long[][] last = E2eFigures.finalBound(f.finals(), finalIntervalNanos(row.discord(), gate));
        String cost = costs == null ? "— | — | —" : String.format(Locale.ROOT, "%.1f (%.3f) | %d | %d",
                costs.cpuSeconds(), costs.cpuSeconds() / row.k(), costs.idleRssMib(), costs.peakRssMib());
        return String.format(Locale.ROOT, "| %s | %d | %d | %d / %d | %s | %s | %s / %s | %s | %s | %s | %s | %s | %d"
                        + " | %s | %d"
                        + " | %s |",
                label, row.k(), row.channels(), f.complete(), f.failed(), p50p95(f.firstSign()),
                p50p95(f.firstWords()), seconds(bound[0]), seconds(bound[1]) + slotBound, p50p95p99(f.wordLag()),
                seconds(edit), p50p95(f.finalAfterLastToken()), p50p95(last[0]), p50p95(last[1]), limits.rateLimited(),
                limits.inRetryAfter() < 0 ? "n/a" : Long.toString(limits.inRetryAfter()), limits.requests(), cost);
    }

    /**
     * How far apart the budget all replies share lets final texts go. Discord: the live engine spends four fifths of
     * the gate's rate ({@code gate}, 90 % of the bot's 50 a second, `DiscordReplies`), one write of which a second is
     * its reserve; Slack: the workspace's chat.update, 50 a minute with the 2 % margin Slack's budgets take.
     */
    static long finalIntervalNanos(boolean discord, int gate) {
        if (discord) {
            return 1_000_000_000L / Math.max(1, gate * 4 / 5);
        }
        return Math.round(60e9 * 1.02 / 50);
    }

    static String legend(Duration firstToken, Duration interval, int words) {
        return String.format(Locale.ROOT, """
                Each row: a fresh service process (the launcher's defaults) and fresh fakes, one warm-up reply \
                (not counted), then K users mention the bot \
                at once, spread over `ch` channels; each answer is %d plain words, the first after %d ms, then one \
                every %d ms (about %.0f words/s). `exact`: replies whose final text is exactly what the provider \
                sent; `failed`: no text with the answer at all. `first sign`: question to the first bot message of \
                the reply (placeholder or words; Slack's "first bot message"); `first words`: to the first answer \
                word visible. `bound`: the budgets' arithmetic bound on first words (provider's first token; Discord \
                a thread and a post per reply through the bot's 45/s gate, without threads one post through the \
                gate and the channel's 5 per 5 s; Slack one post a second per channel, as Slack documents it, without \
                the short bursts it allows and the post budget uses, so a first sign may come before it); in \
                brackets, where it is \
                later, the bound with the provider's stream slots (`max_concurrent_streams`, 512 by default): a reply \
                beyond them gets its first token only when an answer before it has ended. `lag per word`: from the \
                word leaving the provider (flushed) to the first edit showing it; `edit interval bound`: the \
                shortest time between two edits of one reply the budgets allow with all K streaming (Discord: the \
                thread's 5 per 5 s or the channel's shared, and the 45/s gate shared; Slack: chat.update 50/min per \
                workspace shared). `final after last token`: the provider's last token to the exact final text \
                visible; `final bound`: the earliest the budget every reply shares lets it show, with finals served \
                before any progress in the order the answers ended (Discord: the live engine's four fifths of the \
                gate's rate; Slack: chat.update's 50 a minute), 0 where the budget has room; `final over its bound`: \
                each reply's final after its own bound, the part the engine and the platform's latency add. 429s and requests inside a Retry-After as the fake counted them (FakeSlack does not count \
                the latter: n/a when there were 429s). CPU: utime+stime of the service process from /proc over \
                the batch, the JVM as the launcher starts it (on a JDK 25 or newer with its ahead-of-time cache \
                from an earlier run; each row's log line says whether the cache was used); idle RSS: VmRSS before \
                the batch; peak RSS: VmHWM at its end. `naive` rows: the naive \
                reference policy on a fake of its own with the same questions and answers (a bot that paces each \
                reply alone: on Discord the thread, the first post, an edit a second, the final text; on Slack the \
                first post in the question's thread, chat.update a second and the final text, or with native \
                streaming chat.startStream, chat.appendStream a second and chat.stopStream; no shared budget, a \
                429 waited out only on the first post and the final; its words on the provider's schedule, \
                computed in the benchmark's JVM, so it has no CPU or RSS figures).""",
                words, firstToken.toMillis(), interval.toMillis(), 1000.0 / interval.toMillis());
    }
}
