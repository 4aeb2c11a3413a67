package dev.switchboard.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Where the usage of every reply is kept, for reports per provider, channel and user. Thread-safe. */
public interface UsageLedger {

    /** Keeps one reply's usage. Never throws: usage must not break a reply. */
    void record(UsageRecord usage);

    /** Every record from {@code since} on, oldest first. */
    List<UsageRecord> since(Instant since);

    /**
     * Removes a user's id from every record (the records stay, counted for providers and channels, with an empty
     * user). @return how many records were changed
     */
    int forgetUser(String platform, String userId);

    /** How totals are grouped; a ledger on a database groups by the same columns in its query. */
    enum By {
        /** By {@code provider/model}. */
        PROVIDER(r -> r.provider() + "/" + r.model()),
        /** By {@code platform channel}. */
        CHANNEL(r -> r.platform() + " " + r.channel()),
        /** By {@code platform user}. */
        USER(r -> r.platform() + " " + r.user());

        private final Function<UsageRecord, String> key;

        By(Function<UsageRecord, String> key) {
            this.key = key;
        }

        /** The group a record falls in, as totals name it. */
        public String keyOf(UsageRecord record) {
            return key.apply(record);
        }
    }

    /** Tokens and cost summed by a key such as provider, channel or user. */
    record Total(long inputTokens, long outputTokens, double costUsd, long replies, long toolSteps) {

        public Total(long inputTokens, long outputTokens, double costUsd, long replies) {
            this(inputTokens, outputTokens, costUsd, replies, 0);
        }

        Total plus(UsageRecord r) {
            return new Total(inputTokens + r.inputTokens(), outputTokens + r.outputTokens(), costUsd + r.costUsd(),
                    replies + 1, toolSteps + r.toolSteps());
        }

        /** Both totals together. */
        public Total plus(Total other) {
            return new Total(inputTokens + other.inputTokens, outputTokens + other.outputTokens,
                    costUsd + other.costUsd, replies + other.replies, toolSteps + other.toolSteps);
        }
    }

    /**
     * Totals of the records since {@code since}, grouped {@code by}, sorted by the group's name. A ledger on a
     * database overrides this to group in its query.
     */
    default Map<String, Total> totals(Instant since, By by) {
        return totals(since, by::keyOf);
    }

    /** Totals of the records since {@code since}, grouped by any {@code key}, sorted by key; summed in memory. */
    default Map<String, Total> totals(Instant since, Function<UsageRecord, String> key) {
        Map<String, Total> totals = new TreeMap<>();
        for (UsageRecord r : since(since)) {
            totals.merge(key.apply(r), new Total(0, 0, 0, 0).plus(r), Total::plus);
        }
        return totals;
    }

    /** A ledger that keeps nothing. */
    UsageLedger NONE = new UsageLedger() {
        @Override
        public void record(UsageRecord usage) {
        }

        @Override
        public List<UsageRecord> since(Instant since) {
            return List.of();
        }

        @Override
        public int forgetUser(String platform, String userId) {
            return 0;
        }
    };
}
