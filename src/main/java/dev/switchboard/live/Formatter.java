package dev.switchboard.live;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a model's Markdown into what each platform shows, and makes sure model output never pings anyone.
 * Code blocks and code spans keep their text (Slack still needs {@code & < >} escaped in them). Stateless.
 */
public final class Formatter {

    private static final String ZERO_WIDTH = "\u200b";
    private static final Pattern LINK = Pattern.compile("\\[([^\\]\\n]+)]\\((https?://[^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}[ \\t]+(.+?)[ \\t]*#*[ \\t]*$");
    private static final Pattern BULLET = Pattern.compile("(?m)^([ \\t]*)[-*+][ \\t]+");
    private static final Pattern BOLD = Pattern.compile("(\\*\\*|__)(?=\\S)(.+?)(?<=\\S)\\1");
    private static final Pattern ITALIC = Pattern.compile("(?<![*\\w])\\*(?=\\S)([^*\\n]+?)(?<=\\S)\\*(?![*\\w])");
    private static final Pattern STRIKE = Pattern.compile("~~(?=\\S)(.+?)(?<=\\S)~~");
    private static final Pattern BROADCAST = Pattern.compile("@(everyone|here|channel)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern DISCORD_MENTION = Pattern.compile("<(@[!&]?|#)(\\d+)>");
    private static final char HOLD = '\u0000';

    private Formatter() {
    }

    /** Standard Markdown to Slack mrkdwn: {@code *bold*}, {@code _italic_}, {@code ~strike~}, {@code <url|text>}. */
    public static String toSlack(String markdown) {
        StringBuilder out = new StringBuilder(markdown.length() + 16);
        for (Segment segment : segments(markdown)) {
            out.append(segment.code() ? escapeSlack(segment.text()) : slackProse(segment.text()));
        }
        return out.toString();
    }

    /** Discord renders Markdown itself; only mentions are made harmless, outside code. */
    public static String toDiscord(String markdown) {
        StringBuilder out = new StringBuilder(markdown.length() + 16);
        for (Segment segment : segments(markdown)) {
            if (segment.code()) {
                out.append(segment.text());
            } else {
                String text = BROADCAST.matcher(segment.text()).replaceAll("@" + ZERO_WIDTH + "$1");
                out.append(DISCORD_MENTION.matcher(text).replaceAll("<$1" + ZERO_WIDTH + "$2>"));
            }
        }
        return out.toString();
    }

    private static String slackProse(String text) {
        List<String> held = new ArrayList<>();
        // Links first, so their text and URL are escaped once and their brackets survive.
        Matcher link = LINK.matcher(text);
        StringBuilder withoutLinks = new StringBuilder();
        while (link.find()) {
            held.add("<" + escapeSlack(link.group(2)) + "|" + escapeSlack(link.group(1)) + ">");
            link.appendReplacement(withoutLinks, Matcher.quoteReplacement(HOLD + Integer.toString(held.size() - 1)
                    + HOLD));
        }
        link.appendTail(withoutLinks);
        String s = escapeSlack(withoutLinks.toString());
        s = HEADING.matcher(s).replaceAll("**$1**");
        s = BULLET.matcher(s).replaceAll("$1• ");
        s = STRIKE.matcher(s).replaceAll("~$1~");
        // Bold is held aside so the italic pass does not read its stars.
        Matcher bold = BOLD.matcher(s);
        StringBuilder withoutBold = new StringBuilder();
        while (bold.find()) {
            held.add("*" + bold.group(2) + "*");
            bold.appendReplacement(withoutBold, Matcher.quoteReplacement(HOLD + Integer.toString(held.size() - 1)
                    + HOLD));
        }
        bold.appendTail(withoutBold);
        s = ITALIC.matcher(withoutBold.toString()).replaceAll("_$1_");
        s = BROADCAST.matcher(s).replaceAll("@" + ZERO_WIDTH + "$1");
        // Held pieces may hold others (a link inside bold): restore until none is left.
        Pattern token = Pattern.compile(HOLD + "(\\d+)" + HOLD);
        for (int round = 0; round < 4 && s.indexOf(HOLD) >= 0; round++) {
            Matcher m = token.matcher(s);
            StringBuilder restored = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(restored, Matcher.quoteReplacement(held.get(Integer.parseInt(m.group(1)))));
            }
            m.appendTail(restored);
            s = restored.toString();
        }
        return s;
    }

    /** Slack's three control characters; with them escaped, no {@code <!channel>} or {@code <@U…>} can form. */
    static String escapeSlack(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private record Segment(String text, boolean code) {
    }

    /** Splits text into prose and code (fenced blocks, including an unclosed one at the end, and inline spans). */
    private static List<Segment> segments(String text) {
        List<Segment> out = new ArrayList<>();
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

    private static void add(List<Segment> out, String text, boolean code) {
        if (!text.isEmpty()) {
            out.add(new Segment(text, code));
        }
    }
}
