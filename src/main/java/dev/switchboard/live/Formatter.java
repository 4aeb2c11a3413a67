package dev.switchboard.live;

import java.util.function.UnaryOperator;

/**
 * How one platform shows a model's Markdown, mentions made harmless: the seam each platform's formatting plugs into
 * ({@link ReplySink#format(String)} calls one). Implementations live beside their platform's adapter; this side
 * knows only Markdown's own split between prose and code. Implementations are stateless and thread-safe.
 */
@FunctionalInterface
public interface Formatter {

    /** The text as the platform shows it. */
    String format(String markdown);

    /**
     * A formatter that rewrites prose and code apart: fenced blocks (an unclosed one at the end included) and inline
     * spans go to {@code code}, everything else to {@code prose}, so escaping or defusing meant for prose never
     * changes what a code block shows.
     */
    static Formatter byPart(UnaryOperator<String> prose, UnaryOperator<String> code) {
        return markdown -> {
            StringBuilder out = new StringBuilder(markdown.length() + 16);
            for (MarkdownParts.Part part : MarkdownParts.of(markdown)) {
                out.append(part.code() ? code.apply(part.text()) : prose.apply(part.text()));
            }
            return out.toString();
        };
    }
}
