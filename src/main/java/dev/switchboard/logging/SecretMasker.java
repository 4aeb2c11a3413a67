package dev.switchboard.logging;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before it is logged: the configured secret values themselves, and anything shaped like a
 * Slack, Discord, OpenAI, Anthropic or Google credential or a bearer header.
 *
 * <p>Logback builds its encoders by reflection, so they reach the configured values through this one static
 * registry; it is the only static state in the service. Thread-safe.
 */
public final class SecretMasker {

    public static final String MASK = "********";
    private static final int SHORTEST_MASKED_VALUE = 6;
    private static final Set<String> VALUES = new CopyOnWriteArraySet<>();
    private static final List<Pattern> SHAPES = List.of(
            Pattern.compile("xox[abposre]-[A-Za-z0-9-]{6,}"),
            Pattern.compile("xapp-[A-Za-z0-9-]{6,}"),
            Pattern.compile("sk-[A-Za-z0-9_-]{16,}"),
            Pattern.compile("AIza[0-9A-Za-z_-]{30,}"),
            Pattern.compile("[A-Za-z0-9_-]{23,}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{25,}"),
            Pattern.compile("(?i)(?<=bearer )[A-Za-z0-9._~+/-]{8,}=*"),
            Pattern.compile("(?i)(?<=(x-api-key|x-goog-api-key|authorization)[:=] ?)[^\\s,;\"']{8,}"));

    private SecretMasker() {
    }

    /** Adds values that must never appear in a log line. Short values are ignored: masking them would garble text. */
    public static void register(Set<String> secrets) {
        for (String s : secrets) {
            if (s != null && s.length() >= SHORTEST_MASKED_VALUE) {
                VALUES.add(s);
            }
        }
    }

    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String value : VALUES) {
            if (out.contains(value)) {
                out = out.replace(value, MASK);
            }
        }
        for (Pattern shape : SHAPES) {
            out = shape.matcher(out).replaceAll(MASK);
        }
        return out;
    }
}
