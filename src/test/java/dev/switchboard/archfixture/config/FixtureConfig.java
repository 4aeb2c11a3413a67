package dev.switchboard.archfixture.config;

/** Fixture: the config schema, which the core must not read. */
public record FixtureConfig(String model) {
}
