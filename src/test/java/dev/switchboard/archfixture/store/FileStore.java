package dev.switchboard.archfixture.store;

import dev.switchboard.archfixture.conversation.Thread;

/** Fixture: a store that implements the domain's port; with {@link Thread} reading it back, the two form a cycle. */
public final class FileStore {
    public Thread load(String id) {
        return new Thread(id);
    }
}
