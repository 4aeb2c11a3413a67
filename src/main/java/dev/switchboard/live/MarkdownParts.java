package dev.switchboard.live;

import java.util.ArrayList;
import java.util.List;

/** Markdown cut into prose and code, the one distinction every platform's formatting needs. Stateless. */
final class MarkdownParts {

    /** A run of prose or of code, its delimiters included. */
    record Part(String text, boolean code) {
    }

    private MarkdownParts() {
    }

    /** Splits text into prose and code (fenced blocks, including an unclosed one at the end, and inline spans). */
    static List<Part> of(String text) {
        List<Part> out = new ArrayList<>();
        int i = 0;
        int proseStart = 0;
        while (i < text.length()) {
            boolean lineStart = i == 0 || text.charAt(i - 1) == '\n';
            if (lineStart && text.startsWith("```", i)) {
                int close = text.indexOf("\n```", i + 3);
                int end = close < 0 ? text.length() : Math.min(text.length(), close + 4);
                add(out, text.substring(proseStart, i), false);
                add(out, text.substring(i, end), true);
                i = end;
                proseStart = i;
            } else if (text.charAt(i) == '`') {
                int close = text.indexOf('`', i + 1);
                int newline = text.indexOf('\n', i + 1);
                if (close > 0 && (newline < 0 || close < newline)) {
                    add(out, text.substring(proseStart, i), false);
                    add(out, text.substring(i, close + 1), true);
                    i = close + 1;
                    proseStart = i;
                } else {
                    i++;
                }
            } else {
                i++;
            }
        }
        add(out, text.substring(proseStart), false);
        return out;
    }

    private static void add(List<Part> out, String text, boolean code) {
        if (!text.isEmpty()) {
            out.add(new Part(text, code));
        }
    }
}
