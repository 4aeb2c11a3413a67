package dev.switchboard.archfixture.conversation;

import dev.switchboard.archfixture.store.FileStore;

/** Fixture: a domain value that breaks the rule by reaching back into the store, closing a package cycle. */
public record Thread(String id) {
    public Thread reload() {
        return new FileStore().load(id);
    }
}
