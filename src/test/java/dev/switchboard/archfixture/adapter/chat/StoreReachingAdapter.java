package dev.switchboard.archfixture.adapter.chat;

import dev.switchboard.archfixture.store.FileStore;

/** Fixture: an adapter that breaks the rule by reading the store itself instead of going through the use case. */
public final class StoreReachingAdapter {
    public String history(String id) {
        return new FileStore().load(id).id();
    }
}
