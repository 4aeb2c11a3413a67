package dev.switchboard.store.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

/**
 * Discord IDENTIFY turns shared by the nodes through {@code discord_identify}: taking a turn moves the bucket's next
 * free time on by the spacing in one statement, so two nodes asking at once get turns a spacing apart. Thread-safe.
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

    /** Takes the next turn of {@code bucket}; returns how long until that turn comes ({@link Duration#ZERO}: now). */
    public Duration take(int bucket) {
        if (bucket < 0) {
            throw new IllegalArgumentException("no bucket " + bucket);
        }
        long waitMillis = database.inTransaction(QueryKind.CLUSTER, "taking a turn to identify on Discord", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO discord_identify AS d (bucket, next_at)
                    VALUES (?, clock_timestamp() + ? * interval '1 millisecond')
                    ON CONFLICT (bucket) DO UPDATE
                        SET next_at = greatest(d.next_at, clock_timestamp()) + ? * interval '1 millisecond'
                    RETURNING ceil(extract(epoch FROM next_at - ? * interval '1 millisecond' - clock_timestamp())
                        * 1000)::bigint""")) {
                ps.setInt(1, bucket);
                ps.setLong(2, spacing.toMillis());
                ps.setLong(3, spacing.toMillis());
                ps.setLong(4, spacing.toMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
        return Duration.ofMillis(Math.max(0, waitMillis));
    }
}
