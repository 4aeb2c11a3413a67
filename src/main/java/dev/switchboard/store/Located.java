package dev.switchboard.store;

import java.nio.file.Path;

/** A stored conversation and the current file it lives in. */
record Located(Path file, StoredConversation doc) {
}
