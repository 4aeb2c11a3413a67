package dev.switchboard.routing;

import java.util.Objects;

/**
 * A model at a provider, as a route lists it.
 *
 * @param provider the provider's name in the config
 * @param model the model id at that provider
 * @param priority lower is tried first
 * @param weight share of the load among targets of equal priority
 */
public record Target(String provider, String model, int priority, int weight) {

    public Target {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be at least 1");
        }
    }

    /** {@code provider/model}. */
    public String id() {
        return provider + "/" + model;
    }

    @Override
    public String toString() {
        return id();
    }
}
