package dev.switchboard.adapter.slack;

import dev.switchboard.config.SwitchboardConfig;
import java.util.function.Predicate;

/**
 * Which Slack messages are answered, and where: pure decisions on a message, the bot's identity, the access lists and
 * whether the bot already takes part in a thread. Mentions open a thread on the message; later messages in a thread
 * the bot takes part in follow it (when {@code follow_threads}); direct messages are always for the bot. Stateless.
 */
final class SlackRules {

    private SlackRules() {
    }

    /** A message as the rules need it, whichever event carried it. */
    record Said(String team, String channel, String channelType, String user, String botId, String text,
                String ts, String threadTs, boolean mentionEvent) {
    }

    /** What to do with a message. */
    sealed interface Decision {

        /** Not for the bot: bots, the bot itself, system messages, channel chatter, threads it is not part of. */
        record Ignore() implements Decision {
        }

        /** For the bot, but the access lists say no; {@code tell} when the user addressed the bot directly. */
        record Deny(boolean tell) implements Decision {
        }

        /** For the bot, but only a mention with nothing to answer. */
        record Hint() implements Decision {
        }

        /**
         * Answer {@code question} in the conversation {@code thread} of the channel, replying in thread
         * {@code replyIn} (null: in the direct message itself).
         */
        record Answer(String thread, String replyIn, String question, boolean dm) implements Decision {
        }
    }

    /**
     * Decides about one message.
     *
     * @param knowsThread whether the bot takes part in the channel's thread with this ts
     */
    static Decision decide(Said m, String botUser, boolean followThreads, SwitchboardConfig.SlackAccess access,
                           Predicate<String> knowsThread) {
        return decide(m, botUser, followThreads, access, knowsThread, false);
    }

    /**
     * Decides about one message.
     *
     * @param knowsThread whether the bot takes part in the channel's thread with this ts
     * @param dmThreads whether a top-level direct message starts a thread of its own, answered there (Slack's agent
     *     view shows each chat as a thread); else direct messages outside threads are one conversation
     */
    static Decision decide(Said m, String botUser, boolean followThreads, SwitchboardConfig.SlackAccess access,
                           Predicate<String> knowsThread, boolean dmThreads) {
        return decide(m, botUser, followThreads, access, knowsThread, dmThreads, false);
    }

    /**
     * Decides about one message.
     *
     * @param withFiles whether files came with it: a message that is only a file is answered too
     */
    static Decision decide(Said m, String botUser, boolean followThreads, SwitchboardConfig.SlackAccess access,
                           Predicate<String> knowsThread, boolean dmThreads, boolean withFiles) {
        if (m.user() == null || m.botId() != null || m.user().equals(botUser) || m.ts() == null
                || m.channel() == null) {
            return new Decision.Ignore();
        }
        String text = m.text() == null ? "" : m.text();
        boolean dm = "im".equals(m.channelType()) || SlackPlaces.isDm(m.channel());
        boolean mentioned = m.mentionEvent() || text.contains("<@" + botUser + ">");
        String thread;
        String replyIn;
        if (dm) {
            thread = m.threadTs() != null ? m.threadTs() : dmThreads ? m.ts() : SlackPlaces.DM_THREAD;
            replyIn = m.threadTs() != null ? m.threadTs() : dmThreads ? m.ts() : null;
        } else if (mentioned) {
            thread = m.threadTs() != null ? m.threadTs() : m.ts();
            replyIn = thread;
        } else if (m.threadTs() != null && followThreads && knowsThread.test(m.threadTs())) {
            thread = m.threadTs();
            replyIn = thread;
        } else {
            return new Decision.Ignore();
        }
        if (!allowed(access, m.channel(), m.user())) {
            return new Decision.Deny(dm || mentioned);
        }
        String question = withoutMention(text, botUser);
        return question.isBlank() && !withFiles ? new Decision.Hint()
                : new Decision.Answer(thread, replyIn, question, dm);
    }

    /** Deny lists win; an allow list, when set, must name the channel (direct messages pass) and the user. */
    static boolean allowed(SwitchboardConfig.SlackAccess a, String channel, String user) {
        if (a.denyChannels().contains(channel) || a.denyUsers().contains(user)) {
            return false;
        }
        return (a.allowChannels().isEmpty() || SlackPlaces.isDm(channel) || a.allowChannels().contains(channel))
                && (a.allowUsers().isEmpty() || a.allowUsers().contains(user));
    }

    /** The text without the bot's own mention, so the model sees only the question. */
    static String withoutMention(String text, String botUser) {
        return text.replace("<@" + botUser + ">", "").strip();
    }

    /** The workspace of a request: the payload's, else the event's, else the bot's own. */
    static String teamOf(String fromPayload, String fromEvent, String botTeam) {
        if (fromPayload != null && !fromPayload.isEmpty()) {
            return fromPayload;
        }
        return fromEvent != null && !fromEvent.isEmpty() ? fromEvent : botTeam;
    }
}
