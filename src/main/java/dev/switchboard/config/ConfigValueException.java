package dev.switchboard.config;

/** Thrown by a config record's constructor; the loader prefixes {@link #key()} with the section's path. */
final class ConfigValueException extends IllegalArgumentException {

    private final String key;
    private final String fix;

    ConfigValueException(String key, String message, String fix) {
        super(message);
        this.key = key;
        this.fix = fix;
    }

    String key() {
        return key;
    }

    String fix() {
        return fix;
    }
}
