package dev.switchboard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link FakeSlack}'s agent view, as Slack runs it for an app with {@code agent_view} in its manifest: the events a
 * user's moves send ({@code app_home_opened} with tab {@code messages}, {@code app_context_changed}, and the older
 * assistant view's {@code assistant_thread_started} / {@code assistant_thread_context_changed}), and the methods
 * {@code assistant.threads.setSuggestedPrompts} (at most four prompts, each with a title and a message; with a
 * {@code thread_ts} an agent app's call silently does nothing, as Slack documents), {@code assistant.threads.setTitle}
 * and {@code conversations.members}; {@code setStatus}'s {@code loading_messages} checked (1–10 lines of at most 50
 * characters). Channel members are declared with {@link #members}. Thread-safe: everything under the fake's lock.
 */
public final class FakeSlackAgent {

    static final Set<String> METHODS = Set.of("assistant.threads.setSuggestedPrompts", "assistant.threads.setTitle",
            "conversations.members");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One suggested prompt as Slack took it. */
    public record Prompt(String title, String message) { }

    /** One setSuggestedPrompts call Slack carried out. */
    public record Prompts(String channel, String threadTs, String title, List<Prompt> prompts) { }

    private final FakeSlack slack;
    private final Map<String, Set<String>> members = new HashMap<>();
    private final List<Prompts> prompts = new ArrayList<>();
    private final Map<String, List<String>> titles = new HashMap<>();
    private final Map<String, List<List<String>>> loading = new HashMap<>();
    /** Whether the app uses the agent view ({@code agent_view}); false: the older {@code assistant_view}. */
    private boolean agentView = true;

    FakeSlackAgent(FakeSlack slack) {
        this.slack = slack;
    }

    void defaultLimits() {
        slack.limit("assistant.threads.setSuggestedPrompts", 100, Duration.ofSeconds(60), FakeSlack.Scope.WORKSPACE);
        slack.limit("assistant.threads.setTitle", 100, Duration.ofSeconds(60), FakeSlack.Scope.WORKSPACE);
        slack.limit("conversations.members", 100, Duration.ofSeconds(60), FakeSlack.Scope.WORKSPACE); // Tier 4
    }

    // ---- world ----

    /** Users who are members of a channel (the bot's own membership is the channel's, see FakeSlack.channel). */
    public FakeSlackAgent members(String channel, String... users) {
        synchronized (slack.lock()) {
            members.computeIfAbsent(channel, c -> new LinkedHashSet<>()).addAll(List.of(users));
        }
        return this;
    }

    /** The app uses the older assistant view: suggested prompts then need a thread ts. */
    public FakeSlackAgent assistantView() {
        synchronized (slack.lock()) {
            agentView = false;
        }
        return this;
    }

    // ---- what users do ----

    /** The user opens the app's Messages tab (the agent view), looking at {@code viewing} (may be null). */
    public void openMessagesTab(String user, String viewing) {
        synchronized (slack.lock()) {
            ObjectNode e = JSON.createObjectNode();
            e.put("type", "app_home_opened");
            e.put("user", user);
            e.put("channel", slack.imChannel(user));
            e.put("tab", "messages");
            e.put("event_ts", slack.newTs());
            if (viewing != null) {
                e.set("context", context(viewing));
            }
            slack.emitEvent(e);
        }
    }

    /** The user, with the agent view open, now looks at {@code channel} (null: at nothing Slack names). */
    public void contextChanged(String user, String channel) {
        synchronized (slack.lock()) {
            ObjectNode e = JSON.createObjectNode();
            e.put("type", "app_context_changed");
            e.put("user", user);
            e.put("event_ts", slack.newTs());
            e.set("context", channel == null ? JSON.createObjectNode() : context(channel));
            slack.emitEvent(e);
        }
    }

    /** The older assistant view: the user starts a thread looking at {@code viewing}; returns the thread's ts. */
    public String assistantThreadStarted(String user, String viewing) {
        synchronized (slack.lock()) {
            String dm = slack.imChannel(user);
            String ts = slack.silentMessage(dm, FakeSlack.BOT_USER, FakeSlack.BOT_ID, "New chat",
                    "assistant_app_thread");
            slack.emitEvent(assistantEvent("assistant_thread_started", user, dm, ts, viewing));
            return ts;
        }
    }

    /** The older assistant view: the user of thread {@code threadTs} now looks at {@code channel}. */
    public void assistantContextChanged(String user, String threadTs, String channel) {
        synchronized (slack.lock()) {
            slack.emitEvent(assistantEvent("assistant_thread_context_changed", user, slack.imChannel(user), threadTs,
                    channel));
        }
    }

    /** Any event, as given: forged or malformed ones included. */
    public void rawEvent(ObjectNode event) {
        synchronized (slack.lock()) {
            slack.emitEvent(event);
        }
    }

    private static ObjectNode context(String channel) {
        ObjectNode context = JSON.createObjectNode();
        ObjectNode entity = context.putArray("entities").addObject();
        entity.put("type", "slack#/types/channel_id");
        entity.put("value", channel);
        entity.put("team_id", FakeSlack.TEAM);
        return context;
    }

    private ObjectNode assistantEvent(String type, String user, String dm, String threadTs, String viewing) {
        ObjectNode e = JSON.createObjectNode();
        e.put("type", type);
        ObjectNode t = e.putObject("assistant_thread");
        t.put("user_id", user);
        ObjectNode context = t.putObject("context");
        if (viewing != null) {
            context.put("channel_id", viewing);
            context.put("team_id", FakeSlack.TEAM);
            context.putNull("enterprise_id");
        }
        t.put("channel_id", dm);
        t.put("thread_ts", threadTs);
        e.put("event_ts", slack.newTs());
        return e;
    }

    // ---- what the app did ----

    /** Every setSuggestedPrompts call Slack carried out, oldest first. */
    public List<Prompts> suggestedPrompts() {
        synchronized (slack.lock()) {
            return List.copyOf(prompts);
        }
    }

    /** Every title set on a thread, in order. */
    public List<String> titles(String channel, String threadTs) {
        synchronized (slack.lock()) {
            return List.copyOf(titles.getOrDefault(channel + "/" + threadTs, List.of()));
        }
    }

    /** The loading messages of each status set on a thread with some, in order. */
    public List<List<String>> loadingMessages(String channel, String threadTs) {
        synchronized (slack.lock()) {
            return List.copyOf(loading.getOrDefault(channel + "/" + threadTs, List.of()));
        }
    }

    // ---- Web API (called with the fake's lock held) ----

    /** The answer to one of {@link #METHODS}: {@code {"ok":true,…}} or Slack's error. */
    ObjectNode answer(String method, Map<String, String> p) {
        return switch (method) {
            case "assistant.threads.setSuggestedPrompts" -> setSuggestedPrompts(p);
            case "assistant.threads.setTitle" -> setTitle(p);
            case "conversations.members" -> conversationMembers(p);
            default -> fail("unknown_method");
        };
    }

    /**
     * Checks and records setStatus's loading messages; null when they are fine (or absent). The Java SDK sends them
     * comma-separated, other SDKs as a JSON array: both are read.
     */
    ObjectNode loadingMessages(String channel, String threadTs, String status, String raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        List<String> lines = new ArrayList<>();
        if (raw.startsWith("[")) {
            try {
                JSON.readTree(raw).forEach(n -> lines.add(n.asText()));
            } catch (java.io.IOException e) {
                return invalid("loading_messages must be a list of strings");
            }
        } else {
            lines.addAll(List.of(raw.split(",", -1)));
        }
        if (lines.isEmpty() || lines.size() > 10) {
            return invalid("loading_messages takes 1 to 10 messages");
        }
        if (lines.stream().anyMatch(l -> l.isBlank() || l.length() > 50)) {
            return invalid("each loading message must be 1 to 50 characters");
        }
        if (!status.isEmpty()) {
            loading.computeIfAbsent(channel + "/" + threadTs, k -> new ArrayList<>()).add(List.copyOf(lines));
        }
        return null;
    }

    private ObjectNode setSuggestedPrompts(Map<String, String> p) {
        FakeSlack.ChannelView ch = slack.channelView(p.get("channel_id"));
        if (ch == null) {
            return fail("channel_not_found");
        }
        JsonNode list;
        try {
            list = JSON.readTree(p.getOrDefault("prompts", ""));
        } catch (java.io.IOException e) {
            return invalid("prompts must be a JSON array");
        }
        if (list == null || !list.isArray() || list.isEmpty()) {
            return invalid("prompts must be a non-empty array");
        }
        if (list.size() > 4) {
            return invalid("at most 4 prompts");
        }
        List<Prompt> taken = new ArrayList<>();
        for (JsonNode n : list) {
            String title = n.path("title").asText("");
            String message = n.path("message").asText("");
            if (title.isBlank() || message.isBlank()) {
                return invalid("each prompt needs a title and a message");
            }
            taken.add(new Prompt(title, message));
        }
        String threadTs = blankToNull(p.get("thread_ts"));
        if (threadTs != null && !slack.threadExists(ch.id(), threadTs)) {
            return fail("invalid_thread_ts");
        }
        if (threadTs != null && agentView) {
            return ok(); // Slack: "including it in a call for an agent app will cause the call to silently fail"
        }
        if (threadTs == null && !agentView) {
            return invalid("thread_ts is required");
        }
        prompts.add(new Prompts(ch.id(), threadTs, blankToNull(p.get("title")), List.copyOf(taken)));
        return ok();
    }

    private ObjectNode setTitle(Map<String, String> p) {
        FakeSlack.ChannelView ch = slack.channelView(p.get("channel_id"));
        if (ch == null) {
            return fail("channel_not_found");
        }
        String threadTs = blankToNull(p.get("thread_ts"));
        String title = p.get("title");
        if (threadTs == null || title == null || title.isBlank()) {
            return invalid("channel_id, thread_ts and title are required");
        }
        if (!slack.threadExists(ch.id(), threadTs)) {
            return fail("invalid_thread_ts");
        }
        titles.computeIfAbsent(ch.id() + "/" + threadTs, k -> new ArrayList<>()).add(title);
        return ok();
    }

    private ObjectNode conversationMembers(Map<String, String> p) {
        FakeSlack.ChannelView ch = slack.channelView(p.get("channel"));
        if (ch == null || ch.id().startsWith("G") && !ch.botMember()) {
            return fail("channel_not_found");
        }
        List<String> all = new ArrayList<>(members.getOrDefault(ch.id(), Set.of()));
        if (ch.botMember()) {
            all.add(FakeSlack.BOT_USER);
        }
        int limit;
        int from;
        try {
            limit = blankToNull(p.get("limit")) == null ? 100 : Math.max(1, Math.min(1000,
                    Integer.parseInt(p.get("limit"))));
            from = blankToNull(p.get("cursor")) == null ? 0 : Integer.parseInt(p.get("cursor").replace("m:", ""));
        } catch (NumberFormatException e) {
            return fail("invalid_cursor");
        }
        ObjectNode r = ok();
        ArrayNode out = r.putArray("members");
        all.subList(Math.min(from, all.size()), Math.min(from + limit, all.size())).forEach(out::add);
        r.putObject("response_metadata").put("next_cursor", from + limit < all.size() ? "m:" + (from + limit) : "");
        return r;
    }

    private static ObjectNode ok() {
        ObjectNode r = JSON.createObjectNode();
        r.put("ok", true);
        return r;
    }

    private static ObjectNode fail(String error) {
        ObjectNode r = JSON.createObjectNode();
        r.put("ok", false);
        r.put("error", error);
        return r;
    }

    private static ObjectNode invalid(String message) {
        ObjectNode r = fail("invalid_arguments");
        r.putObject("response_metadata").putArray("messages").add("[ERROR] " + message);
        return r;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
