package dev.switchboard.config;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Locale;
import java.util.Map;

/**
 * Which keys of the file hold a {@link Secret}, read from the config records themselves, so a secret added to a
 * section is known here without a list to keep in step. Stateless and thread-safe.
 */
final class SecretKeys {

    private SecretKeys() {
    }

    /** Whether the key at {@code path} ({@code providers.openai.api_key}, {@code operators.slack_users[0]}) is one. */
    static boolean isSecret(String path) {
        Type type = SwitchboardConfig.class;
        for (String segment : path.split("\\.")) {
            String name = segment.replaceAll("\\[\\d+]", "");
            type = child(type, name);
            if (type == null) {
                return false;
            }
            for (int i = segment.indexOf('['); i >= 0; i = segment.indexOf('[', i + 1)) {
                type = argument(type, 0);
            }
        }
        return type == Secret.class;
    }

    /** The type under {@code name}: a record's component by its snake_case name, or a map's value. */
    private static Type child(Type type, String name) {
        Class<?> raw = raw(type);
        if (raw != null && Map.class.isAssignableFrom(raw)) {
            return argument(type, 1);
        }
        if (raw == null || !raw.isRecord()) {
            return null;
        }
        for (RecordComponent c : raw.getRecordComponents()) {
            if (snakeCase(c.getName()).equals(name)) {
                return c.getGenericType();
            }
        }
        return null;
    }

    private static Type argument(Type type, int index) {
        return type instanceof ParameterizedType p && p.getActualTypeArguments().length > index
                ? p.getActualTypeArguments()[index] : null;
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        return type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c ? c : null;
    }

    private static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
