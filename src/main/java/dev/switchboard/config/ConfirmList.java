package dev.switchboard.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tool server's {@code confirm}, written one of three ways: {@code true} (every tool of the server; {@code false}
 * for none), a list of tool names ({@code "*"} for all), or a map marking tools one by one
 * ({@code create_ticket: true}). Read as the list of tool names that need approval.
 */
final class ConfirmList extends JsonDeserializer<List<String>> {

    private static final String FORMS = "write confirm: true (every tool of this server), confirm: [create_ticket]"
            + " or, per tool, confirm: {create_ticket: true}";

    @Override
    public List<String> deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
        JsonNode node = p.readValueAsTree();
        if (node.isBoolean()) {
            return node.booleanValue() ? List.of("*") : List.of();
        }
        List<String> names = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode name : node) {
                if (!name.isTextual() || name.textValue().isBlank()) {
                    throw refused(p, "", "lists tool names, not " + name);
                }
                names.add(name.textValue());
            }
            return names;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> tool : node.properties()) {
                if (!tool.getValue().isBoolean()) {
                    throw refused(p, tool.getKey(), "must be true or false, not " + tool.getValue());
                }
                if (tool.getValue().booleanValue()) {
                    names.add(tool.getKey());
                }
            }
            return names;
        }
        throw refused(p, "", "cannot be " + node);
    }

    /** A binding error carrying the key and the fix, which the loader reports as {@code ….confirm[.tool]: …}. */
    private static JsonMappingException refused(JsonParser p, String key, String message) {
        return JsonMappingException.from(p, message, new ConfigValueException(key, message, FORMS));
    }

    @Override
    public List<String> getNullValue(DeserializationContext ctx) {
        return List.of();
    }
}
