package dev.switchboard.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** {@code auto}: on when its secrets are set; {@code true}: required, start fails without them; {@code false}: off. */
public enum Toggle {
    AUTO,
    ON,
    OFF;

    @JsonCreator
    static Toggle parse(Object value) {
        if (value instanceof Boolean b) {
            return b ? ON : OFF;
        }
        return switch (String.valueOf(value).strip().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "true", "on", "yes" -> ON;
            case "false", "off", "no" -> OFF;
            default -> throw new IllegalArgumentException("expected auto, true or false, got \"" + value + "\"");
        };
    }

    @JsonValue
    String yaml() {
        return switch (this) {
            case AUTO -> "auto";
            case ON -> "true";
            case OFF -> "false";
        };
    }
}
