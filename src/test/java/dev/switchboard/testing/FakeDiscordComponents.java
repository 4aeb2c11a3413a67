package dev.switchboard.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link FakeDiscord}'s message components: the action rows a bot message carries (set on create, on edit, by an
 * interaction's response), checked as Discord checks them (at most 5 action rows of 1 to 5 buttons; a button has a
 * style from 1 to 5, a label or an emoji, and, unless it is a link, a custom_id of 1 to 100 characters), shown in
 * message objects, and the INTERACTION_CREATE (type 3, MESSAGE_COMPONENT) a click on a button sends. Thread-safe.
 */
public final class FakeDiscordComponents {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_ROWS = 5;
    static final int MAX_CUSTOM_ID = 100;

    /** A form error Discord would answer (50035): the field's path, the error code and message. */
    record Problem(String field, String code, String message) { }

    /** Components by message id. */
    private final Map<String, ArrayNode> byMessage = new ConcurrentHashMap<>();

    /** What is wrong with a message body's components, or null when they are fine or absent. */
    static Problem problem(JsonNode body) {
        JsonNode rows = body.path("components");
        if (rows.isMissingNode() || rows.isNull()) {
            return null;
        }
        if (!rows.isArray()) {
            return new Problem("components", "BASE_TYPE_LIST", "Must be a list.");
        }
        if (rows.size() > MAX_ROWS) {
            return new Problem("components", "BASE_TYPE_MAX_LENGTH", "Must be " + MAX_ROWS + " or fewer in length.");
        }
        for (int r = 0; r < rows.size(); r++) {
            JsonNode row = rows.get(r);
            String at = "components." + r;
            if (row.path("type").asInt(-1) != 1) {
                return new Problem(at + ".type", "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (1,).");
            }
            JsonNode children = row.path("components");
            if (!children.isArray() || children.isEmpty() || children.size() > 5) {
                return new Problem(at + ".components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.");
            }
            for (int c = 0; c < children.size(); c++) {
                Problem p = button(children.get(c), at + ".components." + c);
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    private static Problem button(JsonNode b, String at) {
        if (b.path("type").asInt(-1) != 2) {
            return new Problem(at + ".type", "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (2,).");
        }
        int style = b.path("style").asInt(-1);
        if (style < 1 || style > 5) {
            return new Problem(at + ".style", "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5).");
        }
        if (b.path("label").asText("").isEmpty() && !b.path("emoji").isObject()) {
            return new Problem(at, "BUTTON_COMPONENT_NO_LABEL_OR_EMOJI", "A label or an emoji is required.");
        }
        String id = b.path("custom_id").asText("");
        if (style != 5 && (id.isEmpty() || id.codePointCount(0, id.length()) > MAX_CUSTOM_ID)) {
            return new Problem(at + ".custom_id", "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and " + MAX_CUSTOM_ID + " in length.");
        }
        return null;
    }

    /** Keeps the components a write set; a write without the field leaves them as they are. */
    void keep(String messageId, JsonNode body) {
        JsonNode rows = body.path("components");
        if (rows.isArray()) {
            byMessage.put(messageId, (ArrayNode) rows.deepCopy());
        }
    }

    /** A message's components, as its JSON shows them (an empty array for none). */
    public ArrayNode of(String messageId) {
        ArrayNode rows = byMessage.get(messageId);
        return rows == null ? JSON.createArrayNode() : rows.deepCopy();
    }

    /** The custom_id of a message's buttons, in order. */
    public java.util.List<String> customIds(String messageId) {
        java.util.List<String> ids = new java.util.ArrayList<>();
        of(messageId).forEach(row -> row.path("components").forEach(b -> ids.add(b.path("custom_id").asText())));
        return ids;
    }

    /** The {@code data} of a button click: its custom_id and component type. */
    static ObjectNode clickData(String customId) {
        ObjectNode data = JSON.createObjectNode();
        data.put("custom_id", customId);
        data.put("component_type", 2);
        return data;
    }
}
