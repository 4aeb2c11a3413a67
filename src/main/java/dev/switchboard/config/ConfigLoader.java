package dev.switchboard.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        EnvReferences.substitute((ObjectNode) tree, "", env, references, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        SwitchboardConfig config;
        try {
            config = mapper.treeToValue(tree, SwitchboardConfig.class);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source,
                    EnvReferences.withoutValues(List.of(BindingProblems.of(e)), references, env));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source, EnvReferences.withoutValues(
                    List.of(new ConfigException.Problem("", e.getMessage(), "")), references, env));
        }
        List<String> warnings = new ArrayList<>();
        problems.addAll(ConfigChecks.validate(config, references, warnings));
        if (!problems.isEmpty()) {
            throw new ConfigException(source, EnvReferences.withoutValues(problems, references, env));
        }
        return new Loaded(config, source, warnings, ConfigChecks.secretValues(config), references);
    }

    /** The config as YAML with every secret masked: safe to print. */
    public String render(SwitchboardConfig config) {
        try {
            return mapper.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("config cannot be written as YAML", e);
        }
    }
}
