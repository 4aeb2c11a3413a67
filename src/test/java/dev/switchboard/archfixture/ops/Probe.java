package dev.switchboard.archfixture.ops;

/** Fixture: an operations class, which the core must not reach. */
public final class Probe {
    public static boolean healthy() {
        return true;
    }
}
