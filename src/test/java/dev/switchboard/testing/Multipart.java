package dev.switchboard.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code multipart/form-data} body (RFC 7578) split into its parts, as the fakes receive file uploads. Parsed by
 * hand so the fakes see exactly what a client sent: part names, filenames and bytes. Immutable.
 */
record Multipart(List<Part> parts) {

    /** One part: its form name, its filename if it carries a file (else null), its Content-Type (or null), bytes. */
    record Part(String name, String filename, String contentType, byte[] content) { }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};

    static boolean is(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
    }

    /** Splits a body; throws IllegalArgumentException when it is not well-formed multipart. */
    static Multipart parse(String contentType, byte[] body) {
        String boundary = parameters(contentType).get("boundary");
        if (boundary == null || boundary.isEmpty()) {
            throw new IllegalArgumentException("multipart without a boundary");
        }
        byte[] dashBoundary = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int first = indexOf(body, dashBoundary, 0);
        if (first < 0 || (first > 0 && indexOf(body, delimiter, first - 2) != first - 2)) {
            throw new IllegalArgumentException("multipart body does not start with its boundary");
        }
        int pos = first + dashBoundary.length;
        List<Part> parts = new ArrayList<>();
        while (true) {
            if (startsWith(body, pos, new byte[] {'-', '-'})) {
                return new Multipart(List.copyOf(parts));
            }
            while (pos < body.length && (body[pos] == ' ' || body[pos] == '\t')) {
                pos++; // transport padding
            }
            if (!startsWith(body, pos, CRLF)) {
                throw new IllegalArgumentException("malformed boundary line");
            }
            pos += CRLF.length;
            int headersEnd = indexOf(body, HEADERS_END, pos - CRLF.length); // a part may have no headers at all
            if (headersEnd < 0) {
                throw new IllegalArgumentException("part headers do not end");
            }
            String headers = headersEnd <= pos ? "" : new String(body, pos, headersEnd - pos, StandardCharsets.UTF_8);
            int contentStart = headersEnd + HEADERS_END.length;
            int next = indexOf(body, delimiter, contentStart);
            if (next < 0) {
                throw new IllegalArgumentException("multipart body is not closed");
            }
            parts.add(part(headers, Arrays.copyOfRange(body, contentStart, next)));
            pos = next + delimiter.length;
        }
    }

    private static Part part(String headers, byte[] content) {
        String disposition = null;
        String type = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (name.equals("content-disposition")) {
                disposition = value;
            } else if (name.equals("content-type")) {
                type = value;
            }
        }
        if (disposition == null || !disposition.toLowerCase(Locale.ROOT).startsWith("form-data")) {
            throw new IllegalArgumentException("part without Content-Disposition: form-data");
        }
        Map<String, String> params = parameters(disposition);
        String name = params.get("name");
        if (name == null) {
            throw new IllegalArgumentException("part without a name");
        }
        String filename = params.containsKey("filename*") ? extended(params.get("filename*")) : params.get("filename");
        return new Part(name, filename, type, content);
    }

    /** The {@code key=value} parameters after the first {@code ;} of a header value; quoted values unquoted. */
    static Map<String, String> parameters(String header) {
        Map<String, String> out = new LinkedHashMap<>();
        if (header == null) {
            return out;
        }
        int i = header.indexOf(';');
        while (i >= 0 && i < header.length()) {
            i++;
            while (i < header.length() && header.charAt(i) == ' ') {
                i++;
            }
            int eq = header.indexOf('=', i);
            int semi = header.indexOf(';', i);
            if (eq < 0 || (semi >= 0 && semi < eq)) {
                i = semi;
                continue;
            }
            String key = header.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            int v = eq + 1;
            StringBuilder value = new StringBuilder();
            if (v < header.length() && header.charAt(v) == '"') {
                v++;
                while (v < header.length() && header.charAt(v) != '"') {
                    char c = header.charAt(v);
                    if (c == '\\' && v + 1 < header.length()) {
                        c = header.charAt(++v);
                    }
                    value.append(c);
                    v++;
                }
                i = header.indexOf(';', v);
                // Browsers and OkHttp escape these three inside quoted filenames (HTML's form encoding).
                out.put(key, value.toString().replace("%22", "\"").replace("%0A", "\n").replace("%0D", "\r"));
            } else {
                int end = header.indexOf(';', v);
                out.put(key, header.substring(v, end < 0 ? header.length() : end).strip());
                i = end;
            }
        }
        return out;
    }

    /** An RFC 8187 value such as {@code UTF-8''thread%20export.json}. */
    private static String extended(String value) {
        int quote = value.indexOf("''");
        String encoded = quote < 0 ? value : value.substring(quote + 2);
        return URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        if (at < 0 || at + prefix.length > data.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (data[at + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] data, byte[] needle, int from) {
        int last = data.length - needle.length;
        for (int i = Math.max(0, from); i <= last; i++) {
            if (data[i] == needle[0] && startsWith(data, i, needle)) {
                return i;
            }
        }
        return -1;
    }
}
