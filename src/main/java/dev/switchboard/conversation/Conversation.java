package dev.switchboard.conversation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A thread's stored history. Immutable: every change returns a new value.
 *
 * @param key which thread this is
 * @param startedAt when the first turn was written; decides the storage partition
 * @param updatedAt when the last change was made
 * @param metadata free-form settings and facts about the thread (title, route chosen, ...), sorted by name
 * @param archivedTurns how many older turns were rolled into archive files and are not in {@code turns}
 * @param turns the turns in order; the newest last
 */
public record Conversation(
        ConversationKey key,
        Instant startedAt,
        Instant updatedAt,
        Map<String, String> metadata,
        int archivedTurns,
        List<Turn> turns) {

    public Conversation {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(startedAt, "startedAt");
        updatedAt = updatedAt == null ? startedAt : updatedAt;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        turns = turns == null ? List.of() : List.copyOf(turns);
        if (archivedTurns < 0) {
            throw new IllegalArgumentException("archivedTurns must not be negative: " + archivedTurns);
        }
    }

    /** All turns ever written, counting the archived ones. */
    public int totalTurns() {
        return archivedTurns + turns.size();
    }

    public Conversation withTurn(Turn turn) {
        List<Turn> next = new ArrayList<>(turns.size() + 1);
        next.addAll(turns);
        next.add(turn);
        Instant updated = turn.at().isAfter(updatedAt) ? turn.at() : updatedAt;
        return new Conversation(key, startedAt, updated, metadata, archivedTurns, next);
    }

    public Conversation withMetadata(String name, String value, Instant at) {
        Map<String, String> next = new TreeMap<>(metadata);
        if (value == null) {
            next.remove(name);
        } else {
            next.put(name, value);
        }
        return new Conversation(key, startedAt, at.isAfter(updatedAt) ? at : updatedAt, next, archivedTurns, turns);
    }

    /** Metadata as a sorted view, for stable output. */
    public Map<String, String> sortedMetadata() {
        return new TreeMap<>(metadata);
    }
}
