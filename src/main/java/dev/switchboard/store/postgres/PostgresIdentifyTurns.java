package dev.switchboard.store.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

/**
 * Discord IDENTIFY turns shared by the nodes through {@code discord_identify}: a turn is taken only when the bucket's
 * next free time has come, and moves it a spacing on, in one statement, so of two nodes asking at once one gets it.
 * When the connection is ready the next free time is counted again from then, as a slow connect sends its IDENTIFY
 * late. Times are the database's ({@code clock_timestamp()}: a caller that waited for the row is not handed a time
 * from before its wait). Thread-safe.
 */
public final class PostgresIdentifyTurns {

    private final Database database;
    private final Duration spacing;

    PostgresIdentifyTurns(Database database, Duration spacing) {
        if (spacing.isNegative() || spacing.isZero()) {
            throw new IllegalArgumentException("identify turns need a spacing, was " + spacing);
        }
        this.database = database;
        this.spacing = spacing;
    }

    /**
     * Takes the turn of {@code bucket} if it is free now.
     *
     * @return zero when the turn is the caller's; otherwise how long until it may be free
     */
    public Duration take(int bucket) {
        checkBucket(bucket);
        long waitMillis = database.inTransaction(QueryKind.CLUSTER, "taking a turn to identify on Discord", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO discord_identify AS d (bucket, next_at)
                    VALUES (?, clock_timestamp() + ? * interval '1 millisecond')
                    ON CONFLICT (bucket) DO UPDATE SET next_at = clock_timestamp() + ? * interval '1 millisecond'
                    WHERE d.next_at <= clock_timestamp()
                    RETURNING bucket""")) {
                ps.setInt(1, bucket);
                ps.setLong(2, spacing.toMillis());
                ps.setLong(3, spacing.toMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return 0L;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT ceil(extract(epoch FROM next_at - clock_timestamp()) * 1000)::bigint
                    FROM discord_identify WHERE bucket = ?""")) {
                ps.setInt(1, bucket);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Math.max(1L, rs.getLong(1)) : 1L;
                }
            }
        });
        return Duration.ofMillis(waitMillis);
    }

    /** The connection that took the turn is ready: the bucket's next turn is a spacing from now, if not later. */
    public void done(int bucket) {
        checkBucket(bucket);
        database.inTransaction(QueryKind.CLUSTER, "counting the next turn to identify on Discord", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE discord_identify
                    SET next_at = greatest(next_at, clock_timestamp() + ? * interval '1 millisecond')
                    WHERE bucket = ?""")) {
                ps.setLong(1, spacing.toMillis());
                ps.setInt(2, bucket);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static void checkBucket(int bucket) {
        if (bucket < 0) {
            throw new IllegalArgumentException("no bucket " + bucket);
        }
    }
}
