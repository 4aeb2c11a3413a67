package dev.switchboard.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code switchboard.yaml}: replaces {@code ${VAR}} and {@code ${VAR:-default}} with environment values, binds
 * the result to {@link SwitchboardConfig} and checks what the records cannot check alone. Any problem becomes a
 * {@link ConfigException} that names the key and the fix. Stateless and thread-safe.
 */
public final class ConfigLoader {

    /**
     * A loaded config.
     *
     * @param config the validated config
     * @param source where it came from, for messages
     * @param warnings things that work but deserve attention
     * @param secretValues every secret's value, so log output can mask them
     * @param references which environment variable each key was read from ({@code providers.openai.api_key} to
     *     {@code OPENAI_API_KEY}), so messages can say what to export
     */
    public record Loaded(SwitchboardConfig config, String source, List<String> warnings, Set<String> secretValues,
                         Map<String, String> references) {
        public Loaded {
            warnings = List.copyOf(warnings);
            secretValues = Set.copyOf(secretValues);
            references = Map.copyOf(references);
        }

        /** What to export to set a key: its referenced variable, else the conventional one given. */
        public String variableFor(String key, String conventional) {
            return references.getOrDefault(key, conventional);
        }
    }

    private static final Pattern REFERENCE = Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern PROVIDER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

    private final ObjectMapper mapper;

    public ConfigLoader() {
        this.mapper = YAMLMapper.builder(YAMLFactory.builder()
                        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                        .build())
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .addModule(Durations.module())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
    }

    /**
     * Loads a config file.
     *
     * @param file the file to read
     * @param required whether a missing file is an error (given on the command line) or means "all defaults"
     * @param env the environment for {@code ${VAR}} references
     * @throws ConfigException if the file cannot be used
     */
    public Loaded load(Path file, boolean required, Map<String, String> env) {
        String source = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            if (required) {
                throw new ConfigException(source, new ConfigException.Problem("", "the file does not exist.",
                        "create it from the sample config/switchboard.yaml, or leave out --config."));
            }
            return new Loaded(SwitchboardConfig.empty(), "(built-in defaults)",
                    List.of("no config file at " + source + ": running on built-in defaults"), Set.of(), Map.of());
        } catch (IOException e) {
            throw new ConfigException(source, new ConfigException.Problem("", "cannot be read (" + e.getMessage()
                    + ").", "check the path and its permissions."));
        }
        return parse(text, source, env);
    }

    /** Loads config text; see {@link #load}. */
    public Loaded parse(String text, String source, Map<String, String> env) {
        JsonNode tree = YamlText.read(mapper, text, source);
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            tree = JsonNodeFactory.instance.objectNode();
        }
        if (!tree.isObject()) {
            throw new ConfigException(source, new ConfigException.Problem("", "the top level must be a set of"
                    + " sections (slack:, discord:, providers:, ...).", "start from the sample config/switchboard.yaml."));
        }
        Map<String, String> references = new LinkedHashMap<>();
        List<ConfigException.Problem> problems = new ArrayList<>();
        substitute((ObjectNode) tree, "", env, references, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        SwitchboardConfig config;
        try {
            config = mapper.treeToValue(tree, SwitchboardConfig.class);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, withoutValues(List.of(bindingProblem(e)), references, env));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source, withoutValues(
                    List.of(new ConfigException.Problem("", e.getMessage(), "")), references, env));
        }
        List<String> warnings = new ArrayList<>();
        problems.addAll(validate(config, references, warnings));
        if (!problems.isEmpty()) {
            throw new ConfigException(source, withoutValues(problems, references, env));
        }
        return new Loaded(config, source, warnings, secretValues(config), references);
    }

    /** The config as YAML with every secret masked: safe to print. */
    public String render(SwitchboardConfig config) {
        try {
            return mapper.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("config cannot be written as YAML", e);
        }
    }

    // ---- ${VAR} substitution ----

    private static void substitute(JsonNode node, String path, Map<String, String> env,
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
                    ((com.fasterxml.jackson.databind.node.ArrayNode) node)
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

    // ---- error messages ----

    /**
     * Messages may quote a bad value; a value read from the environment may be a secret put under the wrong key,
     * so it is named by its variable instead.
     */
    private static List<ConfigException.Problem> withoutValues(List<ConfigException.Problem> problems,
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

    private static ConfigException.Problem bindingProblem(JsonProcessingException e) {
        String path = e instanceof JsonMappingException jme ? pathOf(jme.getPath()) : "";
        if (e instanceof UnrecognizedPropertyException u) {
            String parent = pathOf(u.getPath().subList(0, u.getPath().size() - 1));
            String known = String.join(", ", names(u.getKnownPropertyIds()));
            String suggestion = closest(u.getPropertyName(), names(u.getKnownPropertyIds()));
            return new ConfigException.Problem(path, "is not a known key.",
                    (suggestion != null ? "did you mean " + join(parent, suggestion) + "? " : "")
                            + "Keys allowed " + (parent.isEmpty() ? "at the top level" : "under " + parent) + ": "
                            + known + ".");
        }
        if (e instanceof ValueInstantiationException || e.getCause() instanceof IllegalArgumentException) {
            Throwable cause = e.getCause();
            while (cause != null && !(cause instanceof IllegalArgumentException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof ConfigValueException cve) {
                return new ConfigException.Problem(join(path, cve.key()), cve.getMessage() + ".", cve.fix() + ".");
            }
            if (cause instanceof IllegalArgumentException iae) {
                return new ConfigException.Problem(path, iae.getMessage() + ".", "see config/switchboard.yaml for the"
                        + " values this key takes.");
            }
        }
        if (e instanceof InvalidFormatException ife) {
            return new ConfigException.Problem(path, "expected " + describe(ife.getTargetType()) + ", got \""
                    + ife.getValue() + "\".", "see config/switchboard.yaml for an example.");
        }
        if (e instanceof MismatchedInputException mie && mie.getTargetType() != null) {
            return new ConfigException.Problem(path, "expected " + describe(mie.getTargetType()) + ".",
                    "see config/switchboard.yaml for an example.");
        }
        return new ConfigException.Problem(path, e.getOriginalMessage() + ".", "see config/switchboard.yaml.");
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "text";
        }
        if (type == Duration.class) {
            return "a duration such as 500ms, 30s or 5m";
        }
        if (type == URI.class) {
            return "a URL";
        }
        if (type == Path.class) {
            return "a file path";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a section of key: value lines";
        }
        if (type.isEnum()) {
            return "one of " + String.join(", ", java.util.Arrays.stream(type.getEnumConstants())
                    .map(c -> c.toString().toLowerCase(java.util.Locale.ROOT)).toList());
        }
        return "a " + type.getSimpleName();
    }

    private static String pathOf(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : refs) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String join(String parent, String key) {
        return parent.isEmpty() ? key : key.isEmpty() ? parent : parent + "." + key;
    }

    private static List<String> names(Collection<Object> ids) {
        return ids.stream().map(String::valueOf).sorted().toList();
    }

    /** The known key nearest to a misspelt one, if it is close enough to be a typo. */
    static String closest(String wrong, List<String> known) {
        String normalised = wrong.replaceAll("([a-z])([A-Z])", "$1_$2").replace('-', '_').toLowerCase(java.util.Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(normalised, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= Math.max(2, best.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    // ---- checks across sections ----

    private static List<ConfigException.Problem> validate(SwitchboardConfig c, Map<String, String> references,
                                                          List<String> warnings) {
        List<ConfigException.Problem> problems = new ArrayList<>();
        SwitchboardConfig.Slack slack = c.slack();
        if (slack.enabled() == Toggle.ON) {
            requireSecret(problems, references, "slack.bot_token", slack.botToken(), "SLACK_BOT_TOKEN",
                    "Slack is enabled but has no bot token", "the xoxb-… token from OAuth & Permissions", "slack");
            if (slack.mode() == SwitchboardConfig.SlackMode.SOCKET) {
                requireSecret(problems, references, "slack.app_token", slack.appToken(), "SLACK_APP_TOKEN",
                        "Slack Socket Mode needs an app-level token", "the xapp-… token from Basic Information",
                        "slack");
            } else {
                requireSecret(problems, references, "slack.signing_secret", slack.signingSecret(),
                        "SLACK_SIGNING_SECRET", "Slack HTTP mode needs the signing secret",
                        "the signing secret from Basic Information", "slack");
            }
        }
        if (slack.mode() == SwitchboardConfig.SlackMode.HTTP && !c.ops().enabled()
                && (slack.enabled() == Toggle.ON || slack.active())) {
            problems.add(new ConfigException.Problem("slack.mode", "is http, which receives events on the ops server,"
                    + " but ops.enabled is false.", "set ops.enabled: true, or use slack.mode: socket."));
        }
        if (c.discord().enabled() == Toggle.ON) {
            requireSecret(problems, references, "discord.token", c.discord().token(), "DISCORD_TOKEN",
                    "Discord is enabled but has no bot token", "the token from the Developer Portal's Bot page",
                    "discord");
        }
        c.providers().forEach((name, p) -> {
            String key = "providers." + name;
            if (!PROVIDER_NAME.matcher(name).matches()) {
                problems.add(new ConfigException.Problem(key, "is not a usable provider name.",
                        "use lower-case letters, digits, - and _ (it appears in commands and metrics)."));
            }
            if (p.enabled() == Toggle.ON && p.type().needsKey()) {
                requireSecret(problems, references, key + ".api_key", p.apiKey(),
                        name.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_API_KEY",
                        "provider " + name + " is enabled but has no API key", "the provider's API key", key);
            }
        });
        SwitchboardConfig.Routing routing = c.routing();
        if (!routing.routes().isEmpty() && !routing.routes().containsKey(routing.defaultRoute())) {
            problems.add(new ConfigException.Problem("routing.default_route", "names route \""
                    + routing.defaultRoute() + "\", which is not defined.",
                    "define it under routing.routes or pick one of " + routing.routes().keySet() + "."));
        }
        routing.routes().forEach((name, route) -> {
            for (int i = 0; i < route.targets().size(); i++) {
                SwitchboardConfig.Target t = route.targets().get(i);
                String key = "routing.routes." + name + ".targets[" + i + "]";
                SwitchboardConfig.Provider p = c.providers().get(t.provider());
                if (p == null) {
                    problems.add(new ConfigException.Problem(key, "names provider \"" + t.provider()
                            + "\", which is not configured.", "add it under providers, or use one of "
                            + c.providers().keySet() + "."));
                } else if (!p.models().contains(t.model())) {
                    problems.add(new ConfigException.Problem(key, "names model \"" + t.model()
                            + "\", which providers." + t.provider() + ".models does not list.",
                            "add it to providers." + t.provider() + ".models."));
                }
            }
        });
        for (int i = 0; i < routing.overrides().size(); i++) {
            SwitchboardConfig.Override o = routing.overrides().get(i);
            if (o.route() != null && !routing.routes().containsKey(o.route())) {
                problems.add(new ConfigException.Problem("routing.overrides[" + i + "].route", "names route \""
                        + o.route() + "\", which is not defined.", "define it under routing.routes."));
            }
        }
        for (String secretKey : literalSecrets(c, references)) {
            warnings.add(secretKey + " holds a secret written in the config file; prefer a ${VARIABLE} reference"
                    + " so the file never holds it");
        }
        return problems;
    }

    private static void requireSecret(List<ConfigException.Problem> problems, Map<String, String> references,
                                      String key, Secret secret, String conventionalVariable, String what,
                                      String which, String section) {
        if (secret.isPresent()) {
            return;
        }
        String variable = references.getOrDefault(key, conventionalVariable);
        String setIt = references.containsKey(key) ? "export " + variable + "=<" + which + ">"
                : "set " + key + ": ${" + variable + "} and export " + variable + "=<" + which + ">";
        problems.add(new ConfigException.Problem(key, what + ".", setIt + ", or set " + section
                + ".enabled: auto to start without it."));
    }

    private static List<String> literalSecrets(SwitchboardConfig c, Map<String, String> references) {
        Map<String, Secret> secrets = secretsByKey(c);
        List<String> literal = new ArrayList<>();
        secrets.forEach((key, secret) -> {
            if (secret.isPresent() && !references.containsKey(key)) {
                literal.add(key);
            }
        });
        return literal;
    }

    private static Map<String, Secret> secretsByKey(SwitchboardConfig c) {
        Map<String, Secret> secrets = new LinkedHashMap<>();
        secrets.put("slack.bot_token", c.slack().botToken());
        secrets.put("slack.app_token", c.slack().appToken());
        secrets.put("slack.signing_secret", c.slack().signingSecret());
        secrets.put("discord.token", c.discord().token());
        c.providers().forEach((name, p) -> secrets.put("providers." + name + ".api_key", p.apiKey()));
        secrets.put("ops.token", c.ops().token());
        return secrets;
    }

    private static Set<String> secretValues(SwitchboardConfig c) {
        Set<String> values = new LinkedHashSet<>();
        secretsByKey(c).values().stream().filter(Secret::isPresent).forEach(s -> values.add(s.reveal()));
        return values;
    }
}
