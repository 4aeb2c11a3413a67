package dev.switchboard.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits a reply into messages no longer than a platform's limit. It cuts at a paragraph break if it can, else at a
 * line break, a sentence end, a space, and only as a last resort inside a word (never inside a surrogate pair).
 * A cut inside a fenced code block closes the fence at the end of the message and opens it again, with its language,
 * at the start of the next, so every message renders its code as code. Stateless and thread-safe.
 */
public final class Splitter {

    /** Shortest limit that leaves room for a fence and some text. */
    static final int MIN_LIMIT = 32;
    private static final String CLOSE = "\n```";

    /**
     * One message of a split reply.
     *
     * @param text what the message shows
     * @param from where its part of the reply starts
     * @param to where its part of the reply ends; the characters between one part's end and the next part's start
     *     are the white space the cut fell on
     */
    public record Part(String text, int from, int to) {
    }

    private Splitter() {
    }

    public static List<String> split(String text, int limit) {
        return parts(text, limit).stream().map(Part::text).toList();
    }

    public static List<Part> parts(String text, int limit) {
        Objects.requireNonNull(text, "text");
        if (limit < MIN_LIMIT) {
            throw new IllegalArgumentException("limit must be at least " + MIN_LIMIT + ", was " + limit);
        }
        List<Part> parts = new ArrayList<>();
        String reopen = "";
        int start = 0;
        while (true) {
            int room = limit - reopen.length();
            if (text.length() - start <= room) {
                parts.add(new Part(reopen + text.substring(start), start, text.length()));
                return parts;
            }
            // Leave room to close a fence, whether or not the cut lands inside one.
            int end = start + room - CLOSE.length();
            String fenceAtEnd = openFence(text, reopen, start, end);
            int cut = chooseCut(text, start, end, fenceAtEnd != null);
            String fence = openFence(text, reopen, start, cut);
            String body = reopen + text.substring(start, cut);
            if (fence != null) {
                body = body + (body.endsWith("\n") ? "```" : CLOSE);
            }
            parts.add(new Part(body, start, cut));
            int next = cut;
            // The white space the cut fell on is not carried into the next message.
            while (next < text.length() && next < cut + 2 && (text.charAt(next) == '\n' || text.charAt(next) == ' ')) {
                next++;
            }
            if (fence != null && next > cut && text.charAt(cut) == ' ') {
                next = cut; // spaces inside code are content
            }
            reopen = fence == null ? "" : fence + "\n";
            start = next;
        }
    }

    /** The best place to cut within [start, end]: the last paragraph, line, sentence or word boundary there. */
    private static int chooseCut(String text, int start, int end, boolean inCode) {
        int floor = start + (end - start) / 3; // do not make tiny messages to find a nicer boundary
        if (!inCode) {
            int paragraph = text.lastIndexOf("\n\n", end - 2);
            if (paragraph >= floor) {
                return paragraph;
            }
        }
        int line = text.lastIndexOf('\n', end - 1);
        if (line >= floor && line > start) {
            return line;
        }
        if (!inCode) {
            for (int i = end - 1; i >= floor; i--) {
                char c = text.charAt(i);
                if ((c == '.' || c == '!' || c == '?') && i + 1 < text.length() && text.charAt(i + 1) == ' ') {
                    return i + 1;
                }
            }
        }
        int space = text.lastIndexOf(' ', end - 1);
        if (space >= floor && space > start) {
            return space;
        }
        int hard = end;
        if (Character.isLowSurrogate(text.charAt(hard)) && Character.isHighSurrogate(text.charAt(hard - 1))) {
            hard--;
        }
        return hard;
    }

    /**
     * The opening fence line ("```java") of a code block still open at {@code at}, or null. Counts fences from the
     * start of the current message, which begins inside a block when {@code reopen} is not empty.
     */
    static String openFence(String text, String reopen, int start, int at) {
        String open = reopen.isEmpty() ? null : reopen.strip();
        int lineStart = start;
        while (lineStart < at) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0 || lineEnd > at) {
                lineEnd = at;
            }
            String line = text.substring(lineStart, lineEnd);
            String trimmed = line.stripLeading();
            if (trimmed.startsWith("```") && line.length() - trimmed.length() <= 3 && lineEnd < at) {
                open = open == null ? trimmed.strip() : null;
            } else if (trimmed.startsWith("```") && line.length() - trimmed.length() <= 3 && lineEnd == at
                    && lineEnd < text.length() && text.charAt(lineEnd) == '\n') {
                open = open == null ? trimmed.strip() : null;
            }
            lineStart = lineEnd + 1;
        }
        return open;
    }

    /** How many characters {@code a} and {@code b} share from their start. */
    static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }
}
