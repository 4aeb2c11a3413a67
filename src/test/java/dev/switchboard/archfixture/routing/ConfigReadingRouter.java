package dev.switchboard.archfixture.routing;

import dev.switchboard.archfixture.config.FixtureConfig;

/** Fixture: a core class that breaks the rule by reading the config schema instead of its own options. */
public final class ConfigReadingRouter {
    public String model(FixtureConfig config) {
        return config.model();
    }
}
