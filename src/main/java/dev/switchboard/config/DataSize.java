package dev.switchboard.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An amount of bytes written as {@code 512KB}, {@code 64MB}, {@code 1GB} (powers of 1024) or a plain number. */
public record DataSize(long bytes) {

    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB)?");

    public DataSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size must not be negative");
        }
    }

    @JsonCreator
    public static DataSize parse(Object value) {
        if (value instanceof Number n) {
            return new DataSize(n.longValue());
        }
        Matcher m = FORMAT.matcher(String.valueOf(value).strip().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as 64MB, 512KB or 1GB, got \"" + value + "\"");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        return new DataSize(switch (unit) {
            case "KB" -> n << 10;
            case "MB" -> n << 20;
            case "GB" -> n << 30;
            default -> n;
        });
    }

    @JsonValue
    @Override
    public String toString() {
        if (bytes % (1L << 30) == 0 && bytes > 0) {
            return (bytes >> 30) + "GB";
        }
        if (bytes % (1L << 20) == 0 && bytes > 0) {
            return (bytes >> 20) + "MB";
        }
        if (bytes % (1L << 10) == 0 && bytes > 0) {
            return (bytes >> 10) + "KB";
        }
        return Long.toString(bytes);
    }
}
