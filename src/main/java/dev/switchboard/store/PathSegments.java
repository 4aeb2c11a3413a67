package dev.switchboard.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Turns platform ids into safe, reversible file-name segments.
 *
 * <p>Only {@code A-Z a-z 0-9 _ -} pass as they are, and {@code .} when it neither starts the id nor follows another
 * dot; every other UTF-8 byte becomes {@code ~XX}. So no segment is empty, starts with a dot, holds a separator, NUL or look-alike
 * character, or names a parent folder, and different ids never share a segment. A segment longer than
 * {@link #MAX_LENGTH} keeps a readable prefix and ends in {@code ~~} and a hash of the whole id; such a segment cannot
 * be decoded, which {@link #decode} reports with {@code null}. Stateless and thread-safe.
 */
final class PathSegments {

    static final int MAX_LENGTH = 120;
    private static final int HASHED_PREFIX = 64;
    private static final String HASH_MARK = "~~";
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private PathSegments() {
    }

    static String encode(String id) {
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            if (isPlain(b) || (b == '.' && i > 0 && bytes[i - 1] != '.')) {
                out.append((char) b);
            } else {
                out.append('~').append(HEX.toHexDigits((byte) b));
            }
        }
        if (out.length() <= MAX_LENGTH) {
            return out.toString();
        }
        int cut = HASHED_PREFIX;
        // Never end the prefix inside a ~XX escape: '~' only ever starts one.
        if (out.charAt(cut - 1) == '~') {
            cut -= 1;
        } else if (out.charAt(cut - 2) == '~') {
            cut -= 2;
        }
        return out.substring(0, cut) + HASH_MARK + sha256(bytes).substring(0, 40);
    }

    /** The id a segment came from, or null when the segment is hashed or was not written by {@link #encode}. */
    static String decode(String segment) {
        if (segment.contains(HASH_MARK) || segment.isEmpty() || segment.charAt(0) == '.') {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '~') {
                if (i + 3 > segment.length()) {
                    return null;
                }
                try {
                    bytes.write(HexFormat.fromHexDigits(segment, i + 1, i + 3));
                } catch (RuntimeException e) {
                    return null;
                }
                i += 2;
            } else if (isPlain(c) || c == '.') {
                bytes.write(c);
            } else {
                return null;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isPlain(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
