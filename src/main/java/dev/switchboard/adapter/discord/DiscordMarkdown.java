package dev.switchboard.adapter.discord;

import dev.switchboard.live.Formatter;
import java.util.regex.Pattern;

/**
 * A model's Markdown as Discord shows it: Discord renders Markdown itself, so only mentions are made harmless, outside
 * code. {@code allowed_mentions} is sent empty as well ({@link Writes}); this keeps the text itself from reading as a
 * ping. Stateless.
 */
final class DiscordMarkdown {

    private static final String ZERO_WIDTH = "\u200b";
    private static final Pattern BROADCAST = Pattern.compile("@(everyone|here|channel)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern MENTION = Pattern.compile("<(@[!&]?|#)(\\d+)>");

    static final Formatter FORMAT = Formatter.byPart(DiscordMarkdown::defused, code -> code);

    private DiscordMarkdown() {
    }

    static String toDiscord(String markdown) {
        return FORMAT.format(markdown);
    }

    private static String defused(String prose) {
        String text = BROADCAST.matcher(prose).replaceAll("@" + ZERO_WIDTH + "$1");
        return MENTION.matcher(text).replaceAll("<$1" + ZERO_WIDTH + "$2>");
    }
}
