package dev.switchboard.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in the YAML tree with environment values, remembering which
 * variable each key was read from; and keeps those values out of error messages. Stateless and thread-safe.
 */
final class EnvReferences {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private EnvReferences() {
    }

    /**
     * Expands every reference in the tree, in place.
     *
     * @param references filled with the variable each key was read from
     * @param problems filled with malformed references and unset variables in keys that are not secrets
     */
    static void substitute(JsonNode node, String path, Map<String, String> env,
                                   Map<String, String> references, List<ConfigException.Problem> problems) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            List<Map.Entry<String, JsonNode>> replaced = new ArrayList<>();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String childPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                JsonNode value = field.getValue();
                if (value.isTextual()) {
                    replaced.add(Map.entry(field.getKey(), expand(value.asText(), childPath, env, references, problems)));
                } else {
                    substitute(value, childPath, env, references, problems);
                }
            }
            replaced.forEach(e -> object.set(e.getKey(), e.getValue()));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                String childPath = path + "[" + i + "]";
                if (item.isTextual()) {
                    ((ArrayNode) node)
                            .set(i, expand(item.asText(), childPath, env, references, problems));
                } else {
                    substitute(item, childPath, env, references, problems);
                }
            }
        }
    }

    private static JsonNode expand(String text, String path, Map<String, String> env, Map<String, String> references,
                                   List<ConfigException.Problem> problems) {
        if (!text.contains("${")) {
            return TextNode.valueOf(text);
        }
        if (REFERENCE.matcher(text).replaceAll("").contains("${")) {
            problems.add(new ConfigException.Problem(path, "has a malformed ${...} reference.",
                    "write ${NAME} or ${NAME:-default}, with NAME made of letters, digits and _."));
            return TextNode.valueOf(text);
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        boolean wholeValueIsOneReference = false;
        int last = 0;
        while (m.find()) {
            out.append(text, last, m.start());
            last = m.end();
            if (m.group().equals("$${")) {
                out.append("${");
                continue;
            }
            String name = m.group(1);
            references.put(path, name);
            String value = env.get(name);
            wholeValueIsOneReference = m.start() == 0 && m.end() == text.length();
            if (value == null && m.group(2) == null && !SecretKeys.isSecret(path)
                    && !(wholeValueIsOneReference && path.endsWith("]"))) {
                // A misspelt variable must not quietly become a default (a public URL, port 8080). Secrets and
                // list items keep "counts as not set", as documented.
                problems.add(new ConfigException.Problem(path, "refers to ${" + name + "}, which is not set.",
                        "export " + name + ", or write ${" + name + ":-<default>} to fall back to a default."));
            }
            if (value == null || value.isEmpty()) {
                value = m.group(2) != null ? m.group(2) : "";
            }
            out.append(value);
        }
        out.append(text.substring(last));
        if (wholeValueIsOneReference && out.isEmpty()) {
            return JsonNodeFactory.instance.nullNode();
        }
        return TextNode.valueOf(out.toString());
    }

    /**
     * Messages may quote a bad value; a value read from the environment may be a secret put under the wrong key,
     * so it is named by its variable instead.
     */
    static List<ConfigException.Problem> withoutValues(List<ConfigException.Problem> problems,
                                                               Map<String, String> references,
                                                               Map<String, String> env) {
        List<String> variables = references.values().stream().distinct()
                .filter(v -> env.get(v) != null && env.get(v).strip().length() >= 3)
                .sorted((a, b) -> env.get(b).length() - env.get(a).length()).toList();
        if (variables.isEmpty()) {
            return problems;
        }
        List<ConfigException.Problem> out = new ArrayList<>();
        for (ConfigException.Problem p : problems) {
            String message = p.message();
            String fix = p.fix();
            for (String v : variables) {
                message = message.replace(env.get(v).strip(), "(the value of $" + v + ")");
                fix = fix.replace(env.get(v).strip(), "(the value of $" + v + ")");
            }
            out.add(new ConfigException.Problem(p.key(), message, fix));
        }
        return out;
    }
}
