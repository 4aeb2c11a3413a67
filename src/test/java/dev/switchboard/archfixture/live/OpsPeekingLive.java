package dev.switchboard.archfixture.live;

import dev.switchboard.archfixture.ops.Probe;

/** Fixture: a core class that breaks the rule by asking the operations side. */
public final class OpsPeekingLive {
    public boolean ready() {
        return Probe.healthy();
    }
}
