package dev.switchboard.conversation;

import java.time.Instant;
import java.util.List;

/**
 * Every admin action, append-only: an entry is never changed or removed once written. Implementations are
 * thread-safe.
 */
public interface AuditLog {

    /**
     * Writes one entry; the action counts as done only once this returns.
     *
     * @param at when the action was taken
     * @param platform where it was given
     * @param userId who gave it
     * @param command the command line as given
     * @param result the first line of the answer, or why it was refused
     * @throws StoreException if the entry could not be made durable
     */
    void record(Instant at, String platform, String userId, String command, String result);

    /** One entry as written by {@link #record}. */
    record Entry(Instant at, String platform, String userId, String command, String result) { }

    /**
     * Every entry, oldest first: what {@code store copy} carries to another backend.
     *
     * @throws StoreException if the log cannot be read
     */
    List<Entry> entries();
}
