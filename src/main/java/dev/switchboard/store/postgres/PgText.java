package dev.switchboard.store.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Values as PostgreSQL holds them. Text: PostgreSQL's text cannot hold U+0000, which chat input may carry, so a value
 * holding it (or beginning with the marker) is stored as the marker followed by the value with {@code \} and U+0000
 * escaped; every other value is stored as it is, readable in SQL. The mapping is one-to-one, so equality and grouping
 * in SQL still hold on encoded values. Times: timestamptz keeps microseconds; the nanoseconds below are kept beside
 * it so an instant reads back exactly. Public for what reads the tables directly (tests, tools). Stateless.
 */
public final class PgText {

    /** A private-use character: marks an escaped value. */
    static final char MARK = '\uE000';

    private PgText() {
    }

    /** The text as stored. */
    public static String encode(String value) {
        if (value == null) {
            return null;
        }
        if (value.indexOf('\u0000') < 0 && (value.isEmpty() || value.charAt(0) != MARK)) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 8).append(MARK);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\u0000' -> out.append("\\0");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** The text a stored value holds. */
    public static String decode(String stored) {
        if (stored == null || stored.isEmpty() || stored.charAt(0) != MARK) {
            return stored;
        }
        StringBuilder out = new StringBuilder(stored.length());
        for (int i = 1; i < stored.length(); i++) {
            char c = stored.charAt(i);
            if (c == '\\' && i + 1 < stored.length()) {
                char next = stored.charAt(++i);
                out.append(next == '0' ? '\u0000' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static void setText(PreparedStatement ps, int index, String value) throws SQLException {
        ps.setString(index, encode(value));
    }

    static String text(ResultSet rs, String column) throws SQLException {
        return decode(rs.getString(column));
    }

    /** Binds an instant at microsecond precision; {@link #nanosBelowMicros} holds the rest. */
    static void setInstant(PreparedStatement ps, int index, Instant at) throws SQLException {
        ps.setObject(index, OffsetDateTime.ofInstant(at.minusNanos(nanosBelowMicros(at)), ZoneOffset.UTC));
    }

    static int nanosBelowMicros(Instant at) {
        return at.getNano() % 1000;
    }

    static Instant instant(ResultSet rs, String column, String nanosColumn) throws SQLException {
        Instant at = instant(rs, column);
        return nanosColumn == null ? at : at.plusNanos(rs.getInt(nanosColumn));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }
}
