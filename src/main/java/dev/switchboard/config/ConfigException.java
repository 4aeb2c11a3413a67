package dev.switchboard.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The config cannot be used. Each problem names the key and the fix; the message holds them all, one per line, and
 * never a secret's value.
 */
public final class ConfigException extends RuntimeException {

    /** One thing wrong: where, what, and what to do about it. */
    public record Problem(String key, String message, String fix) {
        @Override
        public String toString() {
            return (key.isEmpty() ? "" : key + ": ") + message + (fix.isEmpty() ? "" : " Fix: " + fix);
        }
    }

    private final List<Problem> problems;

    public ConfigException(String source, List<Problem> problems) {
        super(render(source, problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String source, Problem problem) {
        this(source, List.of(problem));
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String render(String source, List<Problem> problems) {
        String head = problems.size() == 1 ? "Config error in " + source + ": "
                : "Config errors in " + source + " (" + problems.size() + "):\n  ";
        return head + problems.stream().map(Problem::toString).collect(Collectors.joining("\n  "));
    }
}
