package dev.switchboard.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A credential from the config. Its {@link #toString()} and JSON form are masked, so printing a config or a record
 * that holds one never shows it; only {@link #reveal()} gives the value, to the client that sends it. Immutable.
 */
public final class Secret {

    public static final String MASK = "********";
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    @JsonCreator
    public static Secret of(String value) {
        return new Secret(value == null ? "" : value.strip());
    }

    public static Secret none() {
        return new Secret("");
    }

    public boolean isPresent() {
        return !value.isEmpty();
    }

    public String reveal() {
        return value;
    }

    @JsonValue
    @Override
    public String toString() {
        return isPresent() ? MASK : "";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && java.security.MessageDigest.isEqual(
                s.value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return 0x5EC7E7;
    }
}
