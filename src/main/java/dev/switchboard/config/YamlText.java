package dev.switchboard.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the config file's YAML into a tree, with problems told by line: a key that appears twice in one section, and
 * syntax errors with a hint that fits the error. Stateless and thread-safe.
 */
final class YamlText {

    private YamlText() {
    }

    /**
     * @return the tree; null for an empty file
     * @throws ConfigException naming the line of a syntax error or of each repeated key
     */
    static JsonNode read(ObjectMapper mapper, String text, String source) {
        try {
            List<ConfigException.Problem> repeated = repeatedKeys(mapper, text);
            if (!repeated.isEmpty()) {
                throw new ConfigException(source, repeated);
            }
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source, syntaxProblem(e, text));
        } catch (IOException e) {
            throw new ConfigException(source, new ConfigException.Problem("", "cannot be read (" + e.getMessage()
                    + ").", "check the file."));
        }
    }

    /** Each key that appears a second time in the same section, with both lines: YAML forbids it, and which one
     *  was meant cannot be guessed. */
    private static List<ConfigException.Problem> repeatedKeys(ObjectMapper mapper, String text) throws IOException {
        List<ConfigException.Problem> problems = new ArrayList<>();
        List<Map<String, Integer>> sections = new ArrayList<>(); // one per open mapping; null for a list
        try (JsonParser parser = mapper.createParser(text)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                switch (token) {
                    case START_OBJECT -> sections.add(new HashMap<>());
                    case START_ARRAY -> sections.add(null);
                    case END_OBJECT, END_ARRAY -> sections.removeLast();
                    case FIELD_NAME -> {
                        int line = parser.currentTokenLocation().getLineNr();
                        Integer first = sections.getLast().putIfAbsent(parser.currentName(), line);
                        if (first != null) {
                            problems.add(new ConfigException.Problem(path(parser.getParsingContext()),
                                    "appears twice in the same section, on line " + first + " and on line " + line
                                            + ".", "keep one of them."));
                        }
                    }
                    default -> { }
                }
            }
        }
        return problems;
    }

    /** The dotted key of the field being read: {@code slack.access.allow_users}, {@code routing.overrides[0].route}. */
    private static String path(JsonStreamContext context) {
        String path = "";
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            String separator = path.isEmpty() || path.startsWith("[") ? "" : ".";
            path = (c.inArray() ? "[" + c.getCurrentIndex() + "]" : c.getCurrentName()) + separator + path;
        }
        return path;
    }

    private static ConfigException.Problem syntaxProblem(JsonProcessingException e, String text) {
        JsonLocation at = e.getLocation();
        int line = at == null ? -1 : at.getLineNr();
        int column = at == null ? -1 : at.getColumnNr();
        String message = e.getOriginalMessage();
        String fix = "check the indentation and quoting near that line.";
        if (e.getCause() instanceof MarkedYAMLException yaml) {
            // SnakeYAML's own mark is where the problem is; Jackson's may be where the token before it began.
            if (yaml.getProblemMark() != null) {
                line = yaml.getProblemMark().getLine() + 1;
                column = yaml.getProblemMark().getColumn() + 1;
            }
            String context = yaml.getContext() == null ? "" : yaml.getContext();
            String problem = yaml.getProblem();
            if (!problem.contains("(TAB)") && problem.contains(" (Do not use")) {
                problem = problem.substring(0, problem.indexOf(" (Do not use")); // it is not about indentation
            }
            message = (context.isEmpty() ? "" : context + ": ") + problem;
            fix = hint(context, yaml.getProblem(), text, line);
        }
        String where = line < 0 ? "" : "line " + line + ", column " + column + ": ";
        int newline = message.indexOf('\n');
        if (newline > 0) {
            message = message.substring(0, newline);
        }
        return new ConfigException.Problem("", where + "this is not valid YAML (" + message.strip() + ").", fix);
    }

    /** A fix that fits the error, not one piece of advice for all. */
    private static String hint(String context, String problem, String text, int line) {
        boolean flow = context.contains("flow");
        if (flow && lineOf(text, line).contains("${")) {
            return "inside { } and [ ], quote values that hold ${...}: \"${NAME}\".";
        }
        if (flow) {
            String unclosed = unclosedBracket(text);
            return unclosed != null ? "close the " + unclosed + "."
                    : "separate the items inside { } and [ ] with commas, and quote values that hold , : [ ] { } or #.";
        }
        if (problem.contains("(TAB)")) {
            return "indent with spaces: YAML does not allow tabs.";
        }
        if (problem.contains("cannot start any token")) {
            return "quote the value: in YAML, @ and ` cannot start an unquoted value.";
        }
        if (context.contains("quoted scalar")) {
            return "close the quote opened before line " + line + ".";
        }
        if (problem.contains("mapping values are not allowed")) {
            return "put each key on its own line, indented like the keys beside it, and quote a value that holds"
                    + " \": \".";
        }
        return "indent the keys of one section alike, with spaces, and nest a section's keys under it.";
    }

    /** The last [ or { left open, as "[ opened on line 3"; null when every one is closed. */
    private static String unclosedBracket(String text) {
        List<String> open = new ArrayList<>();
        int line = 1;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                quote = 0; // a quote left open is another error; keep counting brackets on the next line
            } else if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(text.charAt(i - 1)))) {
                int end = text.indexOf('\n', i);
                i = (end < 0 ? text.length() : end) - 1;
            } else if (c == '[' || c == '{') {
                open.add(c + " opened on line " + line);
            } else if ((c == ']' || c == '}') && !open.isEmpty()) {
                open.removeLast();
            }
        }
        return open.isEmpty() ? null : open.getLast();
    }

    private static String lineOf(String text, int line) {
        String[] lines = text.split("\n", -1);
        return line >= 1 && line <= lines.length ? lines[line - 1] : "";
    }
}
