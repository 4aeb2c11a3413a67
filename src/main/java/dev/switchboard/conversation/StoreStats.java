package dev.switchboard.conversation;

/**
 * A snapshot of the store for operators.
 *
 * @param conversations stored threads
 * @param bytes bytes on disk, archives and backups included
 * @param quarantined files moved aside because they failed to parse or failed their checksum
 * @param cachedConversations threads held in memory
 * @param cacheHitRate share of loads served from memory, 0 to 1
 */
public record StoreStats(long conversations, long bytes, long quarantined, long cachedConversations, double cacheHitRate) {
}
