package dev.switchboard.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Turns Jackson's binding errors into problems that name the key, what it expects and the fix, with a "did you
 * mean" for a misspelt key. Stateless and thread-safe.
 */
final class BindingProblems {

    private BindingProblems() {
    }

    /** The problem a binding error stands for. */
    static ConfigException.Problem of(JsonProcessingException e) {
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
}
