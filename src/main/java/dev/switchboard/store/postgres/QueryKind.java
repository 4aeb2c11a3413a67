package dev.switchboard.store.postgres;

import java.util.Locale;

/**
 * What a unit of work on the database does, as the {@code switchboard.store.query} timer tags it: a handful of fixed
 * names an operator can graph, never the conversation keys that the error messages name.
 */
enum QueryKind {
    /** A turn appended to a thread. */
    APPEND,
    /** A thread's turns read. */
    LOAD,
    /** A note on a thread set or removed. */
    METADATA,
    /** Whether a platform message was taken, and the messages left unanswered. */
    SEEN,
    /** Threads listed for operators. */
    LIST,
    /** A thread or a user's turns forgotten. */
    FORGET,
    /** The usage ledger written, read or summed. */
    USAGE,
    /** The audit log written or read. */
    AUDIT,
    /** Operators' settings saved or loaded. */
    SETTINGS,
    /** Verdicts on answers given, read or added up. */
    FEEDBACK,
    /** Retention and the store's figures. */
    MAINTENANCE,
    /** Nodes' heartbeats and thread leases (several nodes as one bot). */
    CLUSTER;

    /** The tag value. */
    String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
