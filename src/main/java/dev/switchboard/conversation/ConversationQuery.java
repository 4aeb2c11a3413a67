package dev.switchboard.conversation;

import java.time.YearMonth;
import java.util.Objects;

/**
 * Selects stored conversations by place and start month. A null workspace or channel means "all".
 * Months are inclusive; null means unbounded.
 */
public record ConversationQuery(String platform, String workspace, String channel, YearMonth from, YearMonth to) {

    public ConversationQuery {
        Objects.requireNonNull(platform, "platform");
        if (channel != null && workspace == null) {
            throw new IllegalArgumentException("a channel query needs its workspace");
        }
        if (from != null && to != null && from.isAfter(to)) {
            throw new IllegalArgumentException("query range is reversed: " + from + " after " + to);
        }
    }

    public static ConversationQuery channel(String platform, String workspace, String channel) {
        return new ConversationQuery(platform, workspace, channel, null, null);
    }

    public boolean includes(YearMonth month) {
        return (from == null || !month.isBefore(from)) && (to == null || !month.isAfter(to));
    }
}
