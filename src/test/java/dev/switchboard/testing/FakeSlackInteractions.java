package dev.switchboard.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link FakeSlack}'s Block Kit: the blocks a bot message carries (from {@code chat.postMessage}, {@code chat.update}
 * and {@code chat.stopStream}), checked loosely as Slack does ({@code invalid_blocks} for an unknown block type, a
 * block without a type, too many blocks, a section's text over 3,000 characters, a {@code context_actions} block
 * holding anything but one to five {@code feedback_buttons} / {@code icon_button} elements, feedback buttons without
 * their two plain-text buttons and values), and the {@code block_actions} payload a press on feedback buttons sends.
 * Thread-safe.
 */
public final class FakeSlackInteractions {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> BLOCK_TYPES = Set.of("section", "context", "actions", "divider", "header",
            "image", "rich_text", "markdown", "context_actions", "input", "file", "video", "table");
    private static final int MAX_BLOCKS = 50;
    private static final int MAX_SECTION_TEXT = 3_000;

    /** Blocks by "channel ts". */
    private final Map<String, ArrayNode> blocks = new ConcurrentHashMap<>();

    /** Why Slack would refuse a {@code blocks} argument ({@code invalid_blocks}), or null when it is fine or absent. */
    static String problem(String param) {
        if (param == null || param.isBlank()) {
            return null;
        }
        JsonNode parsed;
        try {
            parsed = JSON.readTree(param);
        } catch (JsonProcessingException e) {
            return "invalid_blocks_format";
        }
        if (!parsed.isArray() || parsed.size() > MAX_BLOCKS) {
            return "invalid_blocks";
        }
        for (JsonNode block : parsed) {
            String type = block.path("type").asText("");
            if (!BLOCK_TYPES.contains(type)) {
                return "invalid_blocks";
            }
            if (type.equals("section") && block.path("text").path("text").asText("").length() > MAX_SECTION_TEXT) {
                return "invalid_blocks";
            }
            if (type.equals("context_actions") && !contextActionsFine(block)) {
                return "invalid_blocks";
            }
        }
        return null;
    }

    private static boolean contextActionsFine(JsonNode block) {
        JsonNode elements = block.path("elements");
        if (!elements.isArray() || elements.isEmpty() || elements.size() > 5) {
            return false;
        }
        for (JsonNode e : elements) {
            String type = e.path("type").asText("");
            if (type.equals("feedback_buttons")) {
                for (String button : new String[] {"positive_button", "negative_button"}) {
                    JsonNode b = e.path(button);
                    if (!"plain_text".equals(b.path("text").path("type").asText())
                            || b.path("text").path("text").asText("").isEmpty()
                            || b.path("value").asText("").isEmpty()) {
                        return false;
                    }
                }
            } else if (!type.equals("icon_button")) {
                return false;
            }
        }
        return true;
    }

    /** Keeps what a write set: its blocks, or none when the write gave none ({@code keepOld}: leave them). */
    void keep(String channel, String ts, String param, boolean keepOld) {
        if (param == null || param.isBlank()) {
            if (!keepOld) {
                blocks.remove(channel + " " + ts);
            }
            return;
        }
        try {
            blocks.put(channel + " " + ts, (ArrayNode) JSON.readTree(param));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("checked before", e);
        }
    }

    /** Adds a message's blocks to its JSON, as the Web API and events show them. */
    void into(ObjectNode message, String channel, String ts) {
        ArrayNode b = blocks.get(channel + " " + ts);
        if (b != null) {
            message.set("blocks", b.deepCopy());
        }
    }

    /** A message's blocks, or an empty array. */
    public ArrayNode blocks(String channel, String ts) {
        ArrayNode b = blocks.get(channel + " " + ts);
        return b == null ? JSON.createArrayNode() : b.deepCopy();
    }

    /** The button {@code actionId} of a message's {@code actions} blocks, with its block's id, or null. */
    ObjectNode button(String channel, String ts, String actionId) {
        for (JsonNode block : blocks(channel, ts)) {
            if (block.path("type").asText().equals("actions")) {
                for (JsonNode e : block.path("elements")) {
                    if (e.path("type").asText().equals("button") && e.path("action_id").asText().equals(actionId)) {
                        ObjectNode found = (ObjectNode) e.deepCopy();
                        found.put("block_id", block.path("block_id").asText(""));
                        return found;
                    }
                }
            }
        }
        return null;
    }

    /** The first feedback buttons element of a message, or null. */
    ObjectNode feedbackButtons(String channel, String ts) {
        for (JsonNode block : blocks(channel, ts)) {
            if (block.path("type").asText().equals("context_actions")) {
                for (JsonNode e : block.path("elements")) {
                    if (e.path("type").asText().equals("feedback_buttons")) {
                        ObjectNode found = (ObjectNode) e.deepCopy();
                        found.put("block_id", block.path("block_id").asText(""));
                        return found;
                    }
                }
            }
        }
        return null;
    }

    /**
     * The {@code block_actions} payload Slack sends when a user presses one of the feedback buttons: who
     * ({@code user}, {@code team}), where ({@code channel}, {@code container} with {@code message_ts} and, in a
     * thread, {@code thread_ts}), the message as it is, the action ({@code type: feedback_buttons}, its
     * {@code action_id}, {@code block_id}, the pressed button's {@code text} and {@code value}) and a response_url.
     */
    public static ObjectNode blockActions(Press press) {
        ObjectNode p = JSON.createObjectNode();
        p.put("type", "block_actions");
        ObjectNode user = p.putObject("user");
        user.put("id", press.user());
        user.put("username", press.userName());
        user.put("name", press.userName());
        user.put("team_id", press.team());
        p.put("api_app_id", FakeSlack.APP_ID);
        p.put("token", FakeSlack.VERIFICATION_TOKEN);
        ObjectNode container = p.putObject("container");
        container.put("type", "message");
        container.put("message_ts", press.messageTs());
        container.put("channel_id", press.channel());
        container.put("is_ephemeral", false);
        if (press.threadTs() != null) {
            container.put("thread_ts", press.threadTs());
        }
        p.put("trigger_id", press.actionTs().replace(".", "") + ".fake.trigger");
        ObjectNode team = p.putObject("team");
        team.put("id", press.team());
        team.put("domain", FakeSlack.TEAM_DOMAIN);
        p.putNull("enterprise");
        p.put("is_enterprise_install", false);
        ObjectNode channel = p.putObject("channel");
        channel.put("id", press.channel());
        channel.put("name", press.channelName());
        if (press.message() != null) {
            p.set("message", press.message());
        }
        p.putObject("state").putObject("values");
        p.put("response_url", press.responseUrl());
        ObjectNode action = p.putArray("actions").addObject();
        action.put("type", "feedback_buttons");
        action.put("action_id", press.actionId());
        action.put("block_id", press.blockId());
        ObjectNode text = action.putObject("text");
        text.put("type", "plain_text");
        text.put("text", press.buttonText());
        text.put("emoji", true);
        action.put("value", press.value());
        action.put("action_ts", press.actionTs());
        return p;
    }

    /** What a press is made of; tests alter it to forge one. */
    public record Press(String team, String user, String userName, String channel, String channelName,
                        String messageTs, String threadTs, ObjectNode message, String actionId, String blockId,
                        String buttonText, String value, String responseUrl, String actionTs) {

        public Press withTeam(String other) {
            return new Press(other, user, userName, channel, channelName, messageTs, threadTs, message, actionId,
                    blockId, buttonText, value, responseUrl, actionTs);
        }

        public Press withValue(String other) {
            return new Press(team, user, userName, channel, channelName, messageTs, threadTs, message, actionId,
                    blockId, buttonText, other, responseUrl, actionTs);
        }

        public Press withChannel(String other) {
            return new Press(team, user, userName, other, channelName, messageTs, threadTs, message, actionId,
                    blockId, buttonText, value, responseUrl, actionTs);
        }

        public Press withMessage(String ts) {
            return new Press(team, user, userName, channel, channelName, ts, threadTs, message, actionId, blockId,
                    buttonText, value, responseUrl, actionTs);
        }
    }
}
