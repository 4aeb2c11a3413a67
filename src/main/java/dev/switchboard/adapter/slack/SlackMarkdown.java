package dev.switchboard.adapter.slack;

import dev.switchboard.live.Formatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model's Markdown as Slack shows it, with nothing in it able to ping anyone: mrkdwn for messages
 * ({@code *bold*}, {@code _italic_}, {@code ~strike~}, {@code <url|text>}), standard Markdown for native streams.
 * Code keeps its text (still escaped: Slack reads {@code & < >} everywhere). Stateless.
 */
final class SlackMarkdown {

    private static final String ZERO_WIDTH = "\u200b";
    private static final Pattern LINK = Pattern.compile("\\[([^\\]\\n]+)]\\((https?://[^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}[ \\t]+(.+?)[ \\t]*#*[ \\t]*$");
    private static final Pattern BULLET = Pattern.compile("(?m)^([ \\t]*)[-*+][ \\t]+");
    private static final Pattern BOLD = Pattern.compile("(\\*\\*|__)(?=\\S)(.+?)(?<=\\S)\\1");
    private static final Pattern ITALIC = Pattern.compile("(?<![*\\w])\\*(?=\\S)([^*\\n]+?)(?<=\\S)\\*(?![*\\w])");
    private static final Pattern STRIKE = Pattern.compile("~~(?=\\S)(.+?)(?<=\\S)~~");
    private static final Pattern BROADCAST = Pattern.compile("@(everyone|here|channel)\\b", Pattern.CASE_INSENSITIVE);
    /** What would open a mention or a command in a stream's Markdown: {@code <@U…>}, {@code <!channel>}, {@code <#C…>}. */
    private static final Pattern PING = Pattern.compile("<([!@#])");
    private static final char HOLD = '\u0000';
    private static final Pattern HELD = Pattern.compile(HOLD + "(\\d+)" + HOLD);

    /** Standard Markdown to Slack mrkdwn, for {@code chat.postMessage} and {@code chat.update}. */
    static final Formatter MRKDWN = Formatter.byPart(SlackMarkdown::prose, SlackMarkdown::escape);

    /** Standard Markdown, which native streams accept, with mentions and {@code <!channel>}-style commands defused. */
    static final Formatter STREAM = markdown -> PING.matcher(markdown).replaceAll("<" + ZERO_WIDTH + "$1");

    private SlackMarkdown() {
    }

    static String toSlack(String markdown) {
        return MRKDWN.format(markdown);
    }

    /** Slack's three control characters; with them escaped, no {@code <!channel>} or {@code <@U…>} can form. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String prose(String text) {
        List<String> held = new ArrayList<>();
        // Links first, so their text and URL are escaped once and their brackets survive.
        String s = escape(hold(LINK.matcher(text), held,
                m -> "<" + escape(m.group(2)) + "|" + escape(m.group(1)) + ">"));
        s = HEADING.matcher(s).replaceAll("**$1**");
        s = BULLET.matcher(s).replaceAll("$1• ");
        s = STRIKE.matcher(s).replaceAll("~$1~");
        // Bold is held aside so the italic pass does not read its stars.
        s = hold(BOLD.matcher(s), held, m -> "*" + m.group(2) + "*");
        s = ITALIC.matcher(s).replaceAll("_$1_");
        s = BROADCAST.matcher(s).replaceAll("@" + ZERO_WIDTH + "$1");
        // Held pieces may hold others (a link inside bold): restore until none is left.
        for (int round = 0; round < 4 && s.indexOf(HOLD) >= 0; round++) {
            s = HELD.matcher(s).replaceAll(m -> Matcher.quoteReplacement(held.get(Integer.parseInt(m.group(1)))));
        }
        return s;
    }

    /** Replaces each match by a placeholder, keeping what it stands for in {@code held}. */
    private static String hold(Matcher matcher, List<String> held, Function<MatchResult, String> as) {
        return matcher.replaceAll(m -> {
            held.add(as.apply(m));
            return Matcher.quoteReplacement(HOLD + Integer.toString(held.size() - 1) + HOLD);
        });
    }
}
