package dev.switchboard.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** What the config records share: lower-case enums, lists with unset items left out, positive durations. */
final class Values {

    private Values() {
    }

    /** An enum written in lower case in the file; anything else names the values allowed. */
    static <E extends Enum<E>> E lowerCaseEnum(Class<E> type, String value) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value.strip())) {
                return constant;
            }
        }
        List<String> allowed = java.util.Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        throw new IllegalArgumentException("expected " + String.join(" or ", allowed) + ", got \"" + value + "\"");
    }

    /** Copies a list, leaving out items that were only an unset {@code ${VAR}}. */
    static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : list.stream().filter(java.util.Objects::nonNull).toList();
    }

    static Duration positive(String key, Duration value, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.isZero() || value.isNegative()) {
            throw new ConfigValueException(key, "must be positive", "write e.g. " + Durations.format(fallback));
        }
        return value;
    }
}
