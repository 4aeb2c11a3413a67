package dev.switchboard.adapter.discord;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.conversation.ConversationKey;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which Discord messages are answered, and where: pure decisions on a message, the access lists, whether the bot takes
 * part in a thread and which conversation a bot message belongs to. A mention opens a thread on the message (where
 * threads are on and the channel allows them); later messages in a thread the bot takes part in are answered without
 * a mention; a reply to the bot continues its conversation; direct messages are always for the bot. Stateless.
 */
final class DiscordRules {

    static final String PLATFORM = "discord";
    /** A direct message's guild and thread: a DM has neither, and is one conversation. */
    static final String DM = "dm";

    private DiscordRules() {
    }

    /**
     * A message as the rules need it.
     *
     * @param guild null for a direct message
     * @param thread the thread's id when the message was written in one, else null
     * @param parent the channel the message's thread belongs to, or the channel itself
     * @param textChannel a guild text channel, where threads can be opened
     * @param referencedAuthor the author of the message this one replies to, or null
     */
    record Heard(String self, String author, boolean bot, boolean webhook, boolean system, String guild,
                 String parent, String thread, boolean textChannel, List<String> roles, boolean mentioned,
                 String text, String messageId, String referencedAuthor, String referencedId) {
    }

    /** What to do with a message. */
    sealed interface Decision {

        /** Not for the bot, not allowed, or nothing to answer (a bare mention, content the bot may not read). */
        record Ignore() implements Decision {
        }

        /** Answer in the channel the message came from; the first reply message answers {@code replyTo} if set. */
        record Answer(ConversationKey key, String replyTo, String question) implements Decision {
        }

        /** Open a thread named {@code name} on the message and answer there. */
        record OpenThread(String name, String question) implements Decision {
        }
    }

    /**
     * Decides about one message.
     *
     * @param knows whether the bot takes part in a conversation
     * @param chainOf the conversation a bot message belongs to, or null when unknown
     */
    static Decision decide(Heard h, boolean threads, SwitchboardConfig.DiscordAccess access,
                           Predicate<ConversationKey> knows, Function<String, ConversationKey> chainOf) {
        return decide(h, threads, access, knows, chainOf, false);
    }

    /**
     * Decides about one message.
     *
     * @param withFiles whether files are attached: a message that is only a file is answered too
     */
    static Decision decide(Heard h, boolean threads, SwitchboardConfig.DiscordAccess access,
                           Predicate<ConversationKey> knows, Function<String, ConversationKey> chainOf,
                           boolean withFiles) {
        String question = withoutMention(h.text(), h.self());
        if (h.bot() || h.author().equals(h.self()) || h.webhook() || h.system() || (question.isBlank()
                && !withFiles)) {
            return new Decision.Ignore();
        }
        if (h.guild() == null) {
            return allowedInDm(access, h.author()) ? new Decision.Answer(key(DM, h.parent(), DM), null, question)
                    : new Decision.Ignore();
        }
        String channel = h.thread() != null ? h.thread() : h.parent();
        if (!allowed(access, h.guild(), channel, h.parent(), h.roles(), h.author())) {
            return new Decision.Ignore();
        }
        if (h.thread() != null) {
            ConversationKey key = key(h.guild(), h.parent(), h.thread());
            return h.mentioned() || knows.test(key) ? new Decision.Answer(key, null, question)
                    : new Decision.Ignore(); // a thread the bot is not part of
        }
        if (h.referencedAuthor() != null && h.referencedAuthor().equals(h.self())) {
            // A reply to the bot continues that conversation (reply chains).
            ConversationKey chain = chainOf.apply(h.referencedId());
            return new Decision.Answer(chain != null ? chain : key(h.guild(), h.parent(), h.referencedId()),
                    h.messageId(), question);
        }
        if (!h.mentioned()) {
            return new Decision.Ignore(); // channel chatter that is not for the bot
        }
        return threads && h.textChannel() ? new Decision.OpenThread(threadName(question), question)
                : new Decision.Answer(key(h.guild(), h.parent(), h.messageId()), h.messageId(), question);
    }

    static ConversationKey key(String guild, String channel, String thread) {
        return new ConversationKey(PLATFORM, guild, channel, thread);
    }

    /**
     * Deny lists win (a thread is denied with its parent channel); allow lists, when set, must name the guild, the
     * channel or its parent, and the user or one of their roles.
     */
    static boolean allowed(SwitchboardConfig.DiscordAccess a, String guild, String channelId, String parentId,
                           List<String> roles, String user) {
        if (a.denyGuilds().contains(guild) || a.denyChannels().contains(channelId) || a.denyChannels()
                .contains(parentId) || a.denyUsers().contains(user) || roles.stream().anyMatch(a.denyRoles()::contains)) {
            return false;
        }
        return (a.allowGuilds().isEmpty() || a.allowGuilds().contains(guild))
                && (a.allowChannels().isEmpty() || a.allowChannels().contains(channelId)
                || a.allowChannels().contains(parentId))
                && (a.allowUsers().isEmpty() && a.allowRoles().isEmpty() || a.allowUsers().contains(user)
                || roles.stream().anyMatch(a.allowRoles()::contains));
    }

    /** Direct messages have no guild, channel or role: the user lists decide (roles cannot allow anyone here). */
    static boolean allowedInDm(SwitchboardConfig.DiscordAccess a, String user) {
        return !a.denyUsers().contains(user)
                && (a.allowUsers().isEmpty() && a.allowRoles().isEmpty() || a.allowUsers().contains(user));
    }

    static String withoutMention(String text, String selfId) {
        return text.replace("<@" + selfId + ">", "").replace("<@!" + selfId + ">", "").strip();
    }

    /** A thread named after the question: one line, 1–100 characters. */
    static String threadName(String question) {
        String line = question.strip().replaceAll("\\s+", " ");
        if (line.isEmpty()) {
            return "Question";
        }
        return line.length() <= 100 ? line : line.substring(0, 99) + "…";
    }
}
