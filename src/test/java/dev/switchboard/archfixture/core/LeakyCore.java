package dev.switchboard.archfixture.core;

import dev.switchboard.archfixture.adapter.chat.ChatAdapter;

/** Fixture: a core class that breaks the rule by importing an adapter. */
public final class LeakyCore {
    public String describe() {
        return "via " + ChatAdapter.name();
    }
}
