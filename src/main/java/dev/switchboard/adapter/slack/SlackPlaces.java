package dev.switchboard.adapter.slack;

import dev.switchboard.admin.Admin;
import dev.switchboard.conversation.ConversationKey;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a Slack conversation lives, as a key, and how admin commands name one: {@code <#C123|general>} for a channel;
 * a message link ({@code https://…slack.com/archives/C123/p1700000000123456}, with {@code thread_ts} when it is a
 * reply) or a thread's {@code ts} for a thread. Plain {@code #name} needs a lookup Slack's escaping makes
 * unnecessary. Stateless.
 */
final class SlackPlaces {

    static final String PLATFORM = "slack";
    /** The conversation key's thread for a direct message written outside any thread. */
    static final String DM_THREAD = "dm";
    /** Slash commands carry no thread: admin commands act on the channel ({@code forget} finds nothing there). */
    static final String CHANNEL_SCOPE = "-";

    private static final Pattern CHANNEL_REF = Pattern.compile("<#([CDG][A-Z0-9]{1,30})(?:\\|[^>]*)?>");
    private static final Pattern MESSAGE_LINK = Pattern.compile(
            "https://[^/]+/archives/([CDG][A-Z0-9]{1,30})/p(\\d{7,20})(?:\\?(?:.*&)?thread_ts=(\\d+\\.\\d+)(?:&.*)?)?");
    private static final Pattern TS = Pattern.compile("\\d{6,12}\\.\\d{1,9}");

    private SlackPlaces() {
    }

    static ConversationKey key(String team, String channel, String thread) {
        return new ConversationKey(PLATFORM, team, channel, thread);
    }

    /** Direct-message channels are the ones whose id starts with D. */
    static boolean isDm(String channel) {
        return channel.startsWith("D");
    }

    /** Admin references resolved in {@code team}, a bare thread ts taken as one in channel {@code here}. */
    static Admin.Places places(String team, String here) {
        return new Admin.Places() {
            @Override
            public ConversationKey channel(String reference) {
                Matcher m = CHANNEL_REF.matcher(reference);
                return m.matches() ? key(team, m.group(1), isDm(m.group(1)) ? DM_THREAD : CHANNEL_SCOPE) : null;
            }

            @Override
            public ConversationKey thread(String reference) {
                return SlackPlaces.thread(team, here, reference);
            }
        };
    }

    private static ConversationKey thread(String team, String here, String reference) {
        // As Slack escapes a pasted link: <https://…?thread_ts=…&amp;cid=…|label>
        Matcher link = MESSAGE_LINK.matcher(reference.replaceAll("^<|>$", "")
                .replaceAll("\\|.*$", "").replace("&amp;", "&"));
        if (link.matches()) {
            String digits = link.group(2);
            String ts = digits.substring(0, digits.length() - 6) + "." + digits.substring(digits.length() - 6);
            String thread = link.group(3) != null ? link.group(3)
                    : isDm(link.group(1)) ? DM_THREAD : ts; // unthreaded DMs are one conversation
            return key(team, link.group(1), thread);
        }
        return TS.matcher(reference).matches() || reference.equals(DM_THREAD) ? key(team, here, reference) : null;
    }
}
