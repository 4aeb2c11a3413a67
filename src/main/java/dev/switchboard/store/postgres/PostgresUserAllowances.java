package dev.switchboard.store.postgres;

import dev.switchboard.conversation.UserAllowances;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;

/**
 * The users' allowances in {@code user_allowance}, one row a user: the take is one atomic upsert that refills the
 * bucket for the time since its last take (by the database's clock, so the nodes' clocks need not agree) and spends
 * one message when a whole one is there. Thread-safe.
 */
final class PostgresUserAllowances implements UserAllowances {

    /** The tokens a bucket holds now: what it held, refilled at {@code rate} a second since {@code at}, at most full. */
    private static final String NOW_HELD =
            "LEAST(?, u.tokens + extract(epoch FROM clock_timestamp() - u.at) * ?)";

    private final Database database;

    PostgresUserAllowances(Database database) {
        this.database = database;
    }

    @Override
    public Duration take(String user, int messages, Duration per) {
        double rate = messages / (per.toNanos() / 1e9);
        return database.inTransaction(QueryKind.CLUSTER, "taking from a user's allowance", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO user_allowance AS u (user_key, tokens, at) VALUES (?, ?, clock_timestamp())
                    ON CONFLICT (user_key) DO UPDATE SET tokens = %s - 1, at = clock_timestamp()
                    WHERE %s >= 1
                    RETURNING tokens""".formatted(NOW_HELD, NOW_HELD))) {
                PgText.setText(ps, 1, user);
                ps.setDouble(2, messages - 1);
                ps.setDouble(3, messages);
                ps.setDouble(4, rate);
                ps.setDouble(5, messages);
                ps.setDouble(6, rate);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return Duration.ZERO;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT GREATEST(0, 1 - " + NOW_HELD + ") / ? FROM user_allowance u WHERE user_key = ?")) {
                ps.setDouble(1, messages);
                ps.setDouble(2, rate);
                ps.setDouble(3, rate);
                PgText.setText(ps, 4, user);
                try (ResultSet rs = ps.executeQuery()) {
                    double seconds = rs.next() ? rs.getDouble(1) : 0;
                    return Duration.ofNanos(Math.max(1_000_000L, (long) Math.ceil(seconds * 1e9)));
                }
            }
        });
    }

    @Override
    public void refund(String user) {
        database.inTransaction(QueryKind.CLUSTER, "giving a message back to a user's allowance", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE user_allowance SET tokens = tokens + 1 WHERE user_key = ?")) {
                PgText.setText(ps, 1, user);
                ps.executeUpdate();
            }
            return null;
        });
    }
}
