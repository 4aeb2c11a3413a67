package dev.switchboard.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** A tool call's arguments in a few words, for status lines: never the whole of them. Stateless. */
final class ToolArguments {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX = 60;

    private ToolArguments() {
    }

    /** {@code query: "kafka lag", limit: 5}, cut to {@value #MAX} characters; empty for no arguments. */
    static String summary(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return "";
        }
        String text;
        try {
            JsonNode node = JSON.readTree(arguments);
            if (node != null && node.isObject()) {
                List<String> parts = new ArrayList<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    parts.add(e.getKey() + ": " + (e.getValue().isTextual() ? "\"" + e.getValue().asText() + "\""
                            : e.getValue().toString()));
                }
                text = String.join(", ", parts);
            } else {
                text = arguments.strip();
            }
        } catch (java.io.IOException e) {
            text = arguments.strip();
        }
        text = text.replaceAll("\\s+", " ");
        return text.length() <= MAX ? text : text.substring(0, MAX - 1) + "…";
    }
}
