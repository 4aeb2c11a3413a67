package dev.switchboard.conversation;

import java.util.Optional;

/** Where a reply reads the bytes of its thread's attachments, by content hash. Implementations are thread-safe. */
@FunctionalInterface
public interface Blobs {

    /** No bytes at all: every attachment reads as no longer kept. */
    Blobs NONE = sha256 -> Optional.empty();

    /** The bytes kept under a hex SHA-256, or empty when they are not kept (any more). */
    Optional<byte[]> read(String sha256);
}
