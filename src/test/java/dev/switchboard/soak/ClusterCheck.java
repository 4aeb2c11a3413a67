package dev.switchboard.soak;

import dev.switchboard.conversation.Conversation;
import dev.switchboard.conversation.ConversationQuery;
import dev.switchboard.conversation.Role;
import dev.switchboard.conversation.Turn;
import dev.switchboard.soak.ClusterLoad.Prompt;
import dev.switchboard.soak.ClusterLoad.Sent;
import dev.switchboard.soak.ClusterNodes.Leased;
import dev.switchboard.testing.FakeDiscord;
import dev.switchboard.testing.FakeSlack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the cluster soak asserts, from what the nodes stored (read through the store port once they all stopped),
 * what the fakes show and what the provider was asked: every question answered exactly once (stored and shown), by
 * the answer to it, completed (also the replies a SIGKILL cut), each prompt holding exactly the thread's questions
 * up to the one answered, in order.
 */
final class ClusterCheck {

    private static final Pattern ANSWER_KEY = Pattern.compile("^a(\\d+)x(\\d+)[ .]");

    int total;
    int complete;
    final List<String> lost = new ArrayList<>();
    final List<String> doubled = new ArrayList<>();
    final List<String> outOfOrder = new ArrayList<>();
    /**
     * Prompts lacking an earlier question whose event the platform delivered only after the prompt was made (a retry
     * after a node's connection died with it unacknowledged): no node could have known it.
     */
    final List<String> deliveredLate = new ArrayList<>();
    final List<String> mismatches = new ArrayList<>();
    final List<String> incomplete = new ArrayList<>();

    private final FakeSlack slack;
    private final FakeDiscord discord;

    private ClusterCheck(FakeSlack slack, FakeDiscord discord) {
        this.slack = slack;
        this.discord = discord;
    }

    static ClusterCheck of(List<Sent> sent, List<Prompt> prompts, SoakStorage storage, FakeSlack slack,
                           FakeDiscord discord) {
        ClusterCheck r = new ClusterCheck(slack, discord);
        Map<String, List<Turn>> replies = new HashMap<>();
        storage.readConversations(store -> {
            for (String platform : List.of("slack", "discord")) {
                for (var summary : store.list(new ConversationQuery(platform, null, null, null, null))) {
                    Conversation c = store.loadComplete(summary.key()).orElseThrow();
                    c.turns().stream().filter(t -> t.role() == Role.ASSISTANT).forEach(t -> replies
                            .computeIfAbsent(t.assistant().replyTo(), k -> new ArrayList<>()).add(t));
                }
            }
            return null;
        });
        for (Sent s : sent) {
            r.total++;
            String label = s.where() + " " + s.key() + " (" + s.id() + " in " + s.place() + ")";
            List<Turn> answers = replies.getOrDefault(s.id(), List.of());
            if (answers.size() > 1) {
                r.doubled.add(label + ": " + answers.size() + " stored replies");
            } else if (answers.isEmpty()) {
                r.lost.add(label + ": no stored reply");
            } else {
                r.check(s, label, answers.getFirst());
            }
        }
        r.shownOnce(sent);
        for (Prompt p : prompts) {
            Matcher m = ClusterLoad.KEY.matcher(p.answered());
            m.matches();
            int thread = Integer.parseInt(m.group(1));
            List<String> expected = new ArrayList<>();
            for (int n = 0; n <= Integer.parseInt(m.group(2)); n++) {
                expected.add(ClusterLoad.key(thread, n));
            }
            if (!p.keys().equals(expected)) {
                String what = "answering " + p.answered() + " the prompt held " + p.keys() + "; the thread's messages: "
                        + sent.stream().filter(x -> x.thread() == thread).map(x -> x.key() + " " + x.where() + " id "
                                + x.id() + " sent " + x.at() + r.delivered(x)).toList() + "; prompt at " + p.at();
                boolean late = p.keys().stream().allMatch(expected::contains) && expected.stream()
                        .filter(k -> !p.keys().contains(k)).allMatch(k -> sent.stream()
                                .filter(x -> x.key().equals(k)).findFirst().map(x -> r.deliveredAfter(x, p.at()))
                                .orElse(false));
                (late ? r.deliveredLate : r.outOfOrder).add(what);
            }
        }
        return r;
    }

    /** Whether the platform first delivered the message (in the delivery acknowledged) after {@code when}. */
    private boolean deliveredAfter(Sent s, java.time.Instant when) {
        return s.where() == ClusterLoad.Where.SLACK
                && slack.deliveredAt(s.id()).map(at -> at.isAfter(when)).orElse(false);
    }

    private String delivered(Sent s) {
        return s.where() == ClusterLoad.Where.SLACK
                ? slack.deliveredAt(s.id()).map(at -> ", delivered " + at).orElse(", never delivered") : "";
    }

    private void check(Sent s, String label, Turn turn) {
        String expected = ClusterLoad.answer(s.key());
        String visible = shown(s, turn);
        if (turn.assistant().provider().isEmpty()) {
            incomplete.add(label + ": stored " + SoakIT.abbreviate(turn.text()));
        } else if (!turn.text().equals(expected)) {
            // answered from a prompt whose last question was another one: an order fault, not a store one
            outOfOrder.add(label + ": its reply is " + SoakIT.abbreviate(turn.text()) + ", not its answer "
                    + SoakIT.abbreviate(expected));
        } else if (visible == null) {
            mismatches.add(label + ": stored reply " + turn.messageIds() + " not found on the platform");
        } else if (!visible.equals(expected)
                && !visible.equals(expected + "\n_answered by " + turn.assistant().provider() + "_")) {
            mismatches.add(label + ": shown " + SoakIT.abbreviate(visible) + " but stored " + SoakIT.abbreviate(turn.text()));
        } else {
            complete++;
        }
    }

    /** No answer shows twice: one bot message at most starts with each answer key. */
    private void shownOnce(List<Sent> sent) {
        Map<String, Integer> byKey = new HashMap<>();
        slack.botMessages().stream().filter(m -> !m.deleted()).forEach(m -> count(byKey, m.text()));
        if (discord != null) {
            discord.botMessages().stream().filter(m -> !m.deleted()).forEach(m -> count(byKey, m.content()));
        }
        byKey.forEach((key, n) -> {
            if (n > 1) {
                doubled.add("answer " + key + " shown in " + n + " bot messages");
            }
        });
    }

    private static void count(Map<String, Integer> byKey, String text) {
        Matcher m = ANSWER_KEY.matcher(text);
        if (m.find()) {
            byKey.merge("a" + m.group(1) + "x" + m.group(2), 1, Integer::sum);
        }
    }

    /** The text the platform shows for a stored reply (its messages joined), or null if one is missing. */
    private String shown(Sent s, Turn turn) {
        if (turn.messageIds().isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String id : turn.messageIds()) {
            String part = s.where() == ClusterLoad.Where.SLACK
                    ? slack.botMessages().stream().filter(m -> m.ts().equals(id) && !m.deleted())
                            .map(FakeSlack.Message::text).findFirst().orElse(null)
                    : discord.botMessages().stream().filter(m -> m.id().equals(id.replace("channel:", ""))
                            && !m.deleted()).map(FakeDiscord.Message::content).findFirst().orElse(null);
            if (part == null) {
                return null;
            }
            parts.add(part);
        }
        return String.join("\n\n", parts);
    }

    /**
     * Kill → the reply moving again, per thread the killed node held: from the SIGKILL to the first platform write
     * in that thread after it (a post or an edit that took effect), in ms; absent when none came.
     */
    static Map<Leased, Long> failover(Instant killedAt, List<Leased> cut, FakeSlack slack, FakeDiscord discord) {
        Map<Leased, Long> out = new HashMap<>();
        for (Leased l : cut) {
            Instant first = null;
            if (l.platform().equals("slack")) {
                List<String> ours = slack.thread(l.channel(), l.thread()).stream()
                        .filter(m -> FakeSlack.BOT_USER.equals(m.user())).map(FakeSlack.Message::ts).toList();
                for (FakeSlack.Call c : slack.calls()) {
                    boolean here = c.method().equals("chat.postMessage")
                            && l.channel().equals(c.params().get("channel"))
                            && l.thread().equals(c.params().get("thread_ts"))
                            || c.method().equals("chat.update") && ours.contains(c.params().get("ts"));
                    if (here && c.status() == 200 && c.error() == null && c.at().isAfter(killedAt)) {
                        first = first == null || c.at().isBefore(first) ? c.at() : first;
                    }
                }
            } else if (discord != null) {
                for (FakeDiscord.Call c : discord.calls()) {
                    boolean here = c.path().startsWith("channels/" + l.thread() + "/messages")
                            || c.path().startsWith("channels/" + l.channel() + "/messages");
                    boolean write = c.method().equalsIgnoreCase("POST") || c.method().equalsIgnoreCase("PATCH");
                    if (here && write && c.status() / 100 == 2 && c.at().isAfter(killedAt)) {
                        first = first == null || c.at().isBefore(first) ? c.at() : first;
                    }
                }
            }
            if (first != null) {
                out.put(l, Duration.between(killedAt, first).toMillis());
            }
        }
        return out;
    }

    List<String> problems() {
        List<String> out = new ArrayList<>();
        lost.forEach(p -> out.add("LOST " + p));
        doubled.forEach(p -> out.add("DOUBLED " + p));
        outOfOrder.forEach(p -> out.add("ORDER " + p));
        mismatches.forEach(p -> out.add("MISMATCH " + p));
        incomplete.forEach(p -> out.add("INCOMPLETE " + p));
        return out;
    }
}
