package dev.switchboard.ops;

import java.util.Map;

/**
 * Whether the service can answer messages, with the reason for each part. Immutable.
 *
 * @param ready true when an adapter is connected and at least one provider is healthy
 * @param components each part (adapter, provider, store) and its state in a few words
 */
public record Readiness(boolean ready, Map<String, String> components) {

    public Readiness {
        components = Map.copyOf(components);
    }
}
