package dev.switchboard.conversation;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What operators changed with commands, as saved: immutable, sorted, never null.
 *
 * @param providersOff providers an operator turned off
 * @param pins {@code platform/workspace/channel} to the {@code provider/model} pinned there
 * @param routes {@code platform/workspace/channel} to the route chosen there
 * @param prompts {@code platform/workspace/channel} to the system prompt set there
 * @param userModels {@code platform/user} to the {@code provider/model} the user chose as their default
 *     ({@code /model … default}); kept with the operators' settings, one document, no schema of its own
 */
public record OperatorSettings(List<String> providersOff, Map<String, String> pins, Map<String, String> routes,
                               Map<String, String> prompts, Map<String, String> userModels) {

    public OperatorSettings(List<String> providersOff, Map<String, String> pins, Map<String, String> routes,
                            Map<String, String> prompts) {
        this(providersOff, pins, routes, prompts, null);
    }

    public OperatorSettings {
        userModels = userModels == null ? Map.of() : Map.copyOf(new TreeMap<>(userModels));
        providersOff = providersOff == null ? List.of() : List.copyOf(new TreeSet<>(providersOff));
        pins = pins == null ? Map.of() : Map.copyOf(new TreeMap<>(pins));
        routes = routes == null ? Map.of() : Map.copyOf(new TreeMap<>(routes));
        prompts = prompts == null ? Map.of() : Map.copyOf(new TreeMap<>(prompts));
    }

    /** Nothing changed by an operator. */
    public static final OperatorSettings NONE = new OperatorSettings(null, null, null, null);
}
